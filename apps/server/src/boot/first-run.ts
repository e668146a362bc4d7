import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@tessera/config';
import {
  CURRENT_USER_SCOPES,
  isLocalDomain,
  issuerFor,
  type Logger,
  MANAGEMENT_SCOPES,
  managementAudience,
} from '@tessera/core';
import { primaryDomain, type ResourceServer, type Storage, type Tenant } from '@tessera/storage';

export const MANAGEMENT_CLIENT_NAME = 'Tessera Management API (first run)';

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
 */
/** Postgres advisory lock held during first-run setup (the migrator holds 72707369). */
const FIRST_RUN_LOCK = 72707370;

/**
 * Several processes may boot at once on an empty database (a deployment of N replicas): the setup runs
 * under an advisory lock, so the second process finds what the first created instead of creating a
 * second default tenant, key or management client.
 */
export async function ensureFirstRun(storage: Storage, config: Config, log: Logger): Promise<FirstRunResult> {
  return storage.db.sql.session(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [FIRST_RUN_LOCK]);
    try {
      return await setUp(storage, config, log);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [FIRST_RUN_LOCK]);
    }
  });
}

async function setUp(storage: Storage, config: Config, log: Logger): Promise<FirstRunResult> {
  const domain = config.tenancy.domain!;
  const tenant =
    (await storage.tenants.getDefault()) ??
    (await storage.tenants.create({
      name: config.tenancy.defaultTenant!,
      domains: [domain],
      isDefault: true,
    }));
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
  const managementApi = await storage.resourceServers.findByIdentifier(tenant.id, audience);
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

/** Shows the new credentials once and keeps them in `<data dir>/first-run.json` (mode 0600). */
export async function announceFirstRun(
  result: FirstRunResult,
  dataDir: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  if (!result.created) return;
  const domain = new URL(result.issuer).host;
  const file = {
    issuer: result.issuer,
    domain,
    management: {
      client_id: result.created.clientId,
      client_secret: result.created.clientSecret,
      audience: result.created.audience,
    },
  };
  const path = join(dataDir, 'first-run.json');
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  out.write(
    [
      '',
      'Tessera first run: the default tenant is ready.',
      `  issuer:        ${result.issuer}`,
      `  client_id:     ${result.created.clientId}`,
      `  client_secret: ${result.created.clientSecret}`,
      `  audience:      ${result.created.audience}`,
      `These credentials are shown once; they are also in ${path} (mode 0600).`,
      isLocalDomain(domain) ? '' : 'Set TESSERA_DOMAIN before the first run to change the issuer.',
      '',
    ].join('\n'),
  );
}
