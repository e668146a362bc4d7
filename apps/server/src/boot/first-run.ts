import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, tookDefault } from '@tessera/config';
import {
  CURRENT_USER_SCOPES,
  FIRST_RUN_FILE,
  type FirstRunFile,
  issuerFor,
  type Logger,
  MANAGEMENT_SCOPES,
  managementAudience,
} from '@tessera/core';
import {
  LOCKS,
  primaryDomain,
  type ResourceServer,
  type Storage,
  type Tenant,
  withAdvisoryLock,
} from '@tessera/storage';
import { followConfiguredDomain, followManagementAudience } from './tenant-domain.ts';

export const MANAGEMENT_CLIENT_NAME = 'Tessera Management API (first run)';
/** The display name of a default tenant left with the stock name `default`. */
export const DEFAULT_FRIENDLY_NAME = 'Tessera';

/**
 * What the Management API declares: the machine scopes, granted to the first-run client, and Auth0's
 * `*:current_user` scopes, which only an app's grant for a user holds (docs/security.md#48).
 */
const DECLARED_SCOPES: readonly string[] = [...MANAGEMENT_SCOPES, ...CURRENT_USER_SCOPES];

export interface FirstRunResult {
  tenant: Tenant;
  issuer: string;
  /** Present only when this boot created the management client (its secret is shown once). */
  created?: { clientId: string; clientSecret: string; audience: string };
}

/**
 * Idempotent setup of an empty installation: the default tenant with its domain, a signing key, the
 * Management API resource server and a machine client granted every management scope. Each step
 * checks what exists first, so a restart changes nothing and a boot that died half-way completes
 * the missing steps on the next start.
 *
 * Several processes may boot at once on an empty database (a deployment of N replicas): the setup runs
 * under an advisory lock, so the second process finds what the first created instead of creating a
 * second default tenant, key or management client.
 */
export async function ensureFirstRun(storage: Storage, config: Config, log: Logger): Promise<FirstRunResult> {
  return withAdvisoryLock(storage.db.sql, LOCKS.firstRun, () => setUp(storage, config, log));
}

async function setUp(storage: Storage, config: Config, log: Logger): Promise<FirstRunResult> {
  const domain = config.tenancy.domain;
  const existingTenant = await storage.tenants.getDefault();
  const tenant = existingTenant
    ? await followConfiguredDomain(
        storage,
        existingTenant,
        { domain, explicit: !tookDefault(config, 'tenancy', 'domain') },
        log,
      )
    : await storage.tenants.create({
        name: config.tenancy.defaultTenant,
        // What the login pages show; the Management API's tenant settings `friendly_name` change it.
        ...(config.tenancy.defaultTenant === 'default' ? { friendlyName: DEFAULT_FRIENDLY_NAME } : {}),
        domains: [domain],
        isDefault: true,
      });
  const primary = primaryDomain(tenant) ?? domain;
  const issuer = issuerFor(primary, config.http.publicScheme);

  const keys = await storage.signingKeys.list(tenant.id);
  if (!keys.some((k) => k.use === 'sig' && k.state === 'current')) {
    await storage.signingKeys.create(tenant.id, {
      alg: config.keys.signingAlg,
      use: 'sig',
      state: 'current',
    });
  }
  if (!keys.some((k) => k.use === 'cookie' && k.state === 'current')) {
    await storage.signingKeys.create(tenant.id, { alg: 'HS256', use: 'cookie', state: 'current' });
  }

  const audience = managementAudience(issuer);
  const managementApi = await followManagementAudience(storage, tenant, audience, log);
  if (!managementApi) {
    await storage.resourceServers.create(tenant.id, {
      identifier: audience,
      name: 'Tessera Management API',
      isSystem: true,
      scopes: DECLARED_SCOPES.map((value) => ({ value, description: value })),
    });
  }

  const clients = await storage.clients.listByTenant(tenant.id);
  const existing = clients.find((c) => c.name === MANAGEMENT_CLIENT_NAME);
  if (existing && managementApi) {
    await addNewManagementScopes(storage, tenant.id, managementApi, existing.clientId, log);
  }
  if (existing) return { tenant, issuer };

  const { client, clientSecret } = await storage.clients.create(tenant.id, {
    name: MANAGEMENT_CLIENT_NAME,
    appType: 'non_interactive',
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_post',
    grants: [{ audience, scopes: [...MANAGEMENT_SCOPES] }],
  });
  log.info({ tenant: tenant.name, clientId: client.clientId }, 'first run: created the management client');
  return { tenant, issuer, created: { clientId: client.clientId, clientSecret, audience } };
}

/**
 * A newer Tessera may know Management API scopes an installation's first run did not (e.g.
 * `update:guardian_factors`): they are added to the system API and, except the `*:current_user`
 * ones, to the first-run client's grant, never removed, so the first-run client keeps "every scope"
 * across upgrades. (Through the API the system API's scopes cannot be changed.)
 */
async function addNewManagementScopes(
  storage: Storage,
  tenantId: string,
  api: ResourceServer,
  clientId: string,
  log: Logger,
): Promise<void> {
  const missing = DECLARED_SCOPES.filter((scope) => !api.scopes.some((s) => s.value === scope));
  if (missing.length > 0) {
    await storage.resourceServers.update(tenantId, api.id, {
      scopes: [...api.scopes, ...missing.map((value) => ({ value, description: value }))],
    });
  }
  const { grants } = await storage.clientGrants.list(tenantId, {
    clientId,
    audience: api.identifier,
    take: 1,
  });
  const grant = grants[0];
  const ungranted = MANAGEMENT_SCOPES.filter((scope) => !grant?.scope.includes(scope));
  if (grant && ungranted.length > 0) {
    await storage.clientGrants.update(tenantId, grant.id, [...grant.scope, ...ungranted]);
    log.info({ scopes: ungranted }, 'first run: granted the management client the new Management API scopes');
  }
}

/**
 * Shows the new credentials once, as one line of the JSON README "The two commands" shows (so every
 * line on stdout is JSON), and keeps them in `<data dir>/first-run.json` (mode 0600). On a later start the
 * file follows a change of domain or scheme (issuer, domain, audience), keeping the client's
 * credentials, which did not change.
 */
export async function announceFirstRun(
  result: FirstRunResult,
  dataDir: string,
  out: NodeJS.WritableStream = process.stdout,
  log?: Logger,
): Promise<void> {
  const path = join(dataDir, FIRST_RUN_FILE);
  const domain = new URL(result.issuer).host;
  if (!result.created) {
    await followInFile(path, result.issuer, domain);
    return;
  }
  const file: FirstRunFile = {
    issuer: result.issuer,
    domain,
    management: {
      client_id: result.created.clientId,
      client_secret: result.created.clientSecret,
      audience: result.created.audience,
    },
  };
  await writeAtomically(path, file);
  log?.info(
    { path },
    'first run: the default tenant is ready; its Management API credentials are printed once, as one JSON line, and kept in this file (mode 0600)',
  );
  out.write(`${JSON.stringify(file)}\n`);
}

async function followInFile(path: string, issuer: string, domain: string): Promise<void> {
  let file: Partial<FirstRunFile>;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as Partial<FirstRunFile>;
  } catch {
    // No file (a database set up by another process or machine) or not ours: nothing to keep in step.
    return;
  }
  const audience = managementAudience(issuer);
  if (file.issuer === issuer && file.domain === domain && file.management?.audience === audience) return;
  const updated = { ...file, issuer, domain, management: { ...file.management, audience } };
  await writeAtomically(path, updated);
}

/**
 * first-run.json holds the only stored copy of the client's secret: written beside it and renamed
 * over it, so a crash mid-write or a CLI reading at that moment never sees it empty or half-written.
 */
async function writeAtomically(path: string, content: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
