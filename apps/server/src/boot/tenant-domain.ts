import { ConfigError, isLocalDomain, type Logger } from '@tessera/core';
import {
  normalizeDomain,
  primaryDomain,
  type ResourceServer,
  type Storage,
  type Tenant,
} from '@tessera/storage';

/**
 * The default tenant's domain follows `TESSERA_DOMAIN` (docs/operations.md#configuration): when the
 * configured domain differs from the stored one, the tenant moves to it in place (its primary domain
 * row is rewritten, never a second one added), so the issuer is always
 * `<TESSERA_PUBLIC_SCHEME>://<TESSERA_DOMAIN>/`, never the old domain with a new scheme. Tokens
 * issued under the old issuer stop validating at the apps, which is why the move is logged as a
 * warning naming both; the signing keys, users and clients are kept, so setting the old domain back
 * restores the old issuer. Only a domain the operator set moves a tenant served on a real domain:
 * a process started without TESSERA_DOMAIN (a replica or a one-off job pointed at the production
 * database) would otherwise move it to the default `localhost:<port>` and break every app, so it
 * refuses to start instead, naming the stored domain. A tenant on a local domain follows the default
 * (a laptop started on another port).
 */
export async function followConfiguredDomain(
  storage: Storage,
  tenant: Tenant,
  configured: { domain: string; explicit: boolean },
  log: Logger,
): Promise<Tenant> {
  const current = primaryDomain(tenant);
  const wanted = normalizeDomain(configured.domain);
  if (current === wanted) return tenant;
  if (current !== undefined && !configured.explicit && !isLocalDomain(current)) {
    throw new ConfigError(
      'TESSERA_DOMAIN',
      `not set, and the default tenant is served at ${current}: set TESSERA_DOMAIN=${current} (or to another domain to move the tenant there)`,
    );
  }
  const owner = await storage.tenants.findByDomain(wanted);
  if (owner && owner.id !== tenant.id) {
    throw new ConfigError('TESSERA_DOMAIN', `${wanted} is already a domain of the tenant "${owner.name}"`);
  }
  if (current === undefined) {
    await storage.tenants.addDomain(tenant.id, wanted);
  } else {
    // The new domain may be one of the tenant's other domains already: it becomes the primary one.
    await storage.tenants.moveDomain(tenant.id, current, wanted);
    log.warn(
      { tenant: tenant.name, from: current, to: wanted },
      'TESSERA_DOMAIN changed: the tenant moved to the new domain; tokens issued under the old issuer are no longer valid for apps that check the issuer',
    );
  }
  return (await storage.tenants.findById(tenant.id))!;
}

/**
 * The tenant's Management API (the system API) under the audience of its current issuer. After a
 * change of domain or public scheme the existing system API is renamed in place: its client grants
 * and role permissions follow through the foreign keys (ON UPDATE CASCADE), and so does a
 * `default_audience` that named it. Undefined when the tenant has none yet (first run creates it).
 */
export async function followManagementAudience(
  storage: Storage,
  tenant: Tenant,
  audience: string,
  log: Logger,
): Promise<ResourceServer | undefined> {
  const current = await storage.resourceServers.findByIdentifier(tenant.id, audience);
  if (current) return current;
  const { resourceServers } = await storage.resourceServers.list(tenant.id, { skip: 0, take: 100 });
  // Oldest first: an installation that met the old behaviour may hold a second, later system API
  // created for a mixed-up audience; the first one is the one its first-run client is granted.
  const system = resourceServers.find((api) => api.isSystem);
  if (!system) return undefined;
  await storage.resourceServers.moveIdentifier(tenant.id, system.id, audience);
  if (tenant.settings.default_audience === system.identifier) {
    await storage.tenants.updateSettings(tenant.id, { settings: { default_audience: audience } });
  }
  log.warn(
    { tenant: tenant.name, from: system.identifier, to: audience },
    'the Management API follows the new issuer: its audience changed',
  );
  return storage.resourceServers.findByIdentifier(tenant.id, audience);
}
