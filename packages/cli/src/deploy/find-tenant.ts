import type { Storage, Tenant } from '@tessera/storage';
import { DeployError } from './deploy-error.ts';

/**
 * `--tenant <name>`, or the default tenant: the one the server created at first run (named by
 * TESSERA_DEFAULT_TENANT) and serves for unknown hosts.
 */
export async function findTenant(storage: Storage, name: string | undefined): Promise<Tenant> {
  if (name === undefined) {
    const tenant = await storage.tenants.getDefault();
    if (tenant === undefined)
      throw new DeployError('this database has no default tenant yet: start the server once to create it');
    return tenant;
  }
  const tenant = await storage.tenants.findByName(name);
  if (tenant === undefined) throw new DeployError(`unknown tenant ${name}`);
  return tenant;
}
