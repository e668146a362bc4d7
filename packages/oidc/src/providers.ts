import { randomBytes } from 'node:crypto';
import { issuerFor, type KvStore, type Logger, type LoginPages, type PostLoginPort } from '@tessera/core';
import {
  keysStamp,
  LOCKS,
  primaryDomain,
  type SigningKey,
  type Storage,
  type Tenant,
  withAdvisoryLock,
} from '@tessera/storage';
import { createLocalJWKSet } from 'jose';
import Provider from 'oidc-provider';
import { createAdapterFactory } from './adapter.ts';
import { installAuditEvents } from './audit-events.ts';
import { buildConfiguration } from './configuration.ts';
import { patchProvider } from './grant-extras.ts';
import { revokeGrant } from './grant-revocation.ts';
import { toPublicJwks } from './keys.ts';
import { installOfflineAccessAsAuth0 } from './offline-access.ts';
import { installPasswordGrant } from './password-grant.ts';
import { installPublicCaching } from './public-caching.ts';
import { installRotationCommit, withAtomicRotation } from './refresh-rotation.ts';
import type { Throttle } from './throttle.ts';
import { installUnavailable } from './unavailable.ts';

export interface ProvidersDeps {
  storage: Storage;
  kv: KvStore;
  pages: LoginPages;
  postLogin: PostLoginPort;
  scheme: 'http' | 'https';
  log: Logger;
  /** The login page's brute-force counters, which the password grant shares (docs/security.md#54). */
  throttle: Throttle;
}

export interface TenantProviders {
  /** The tenant's provider, built on first use and rebuilt when its keys or settings changed. */
  get(tenant: Tenant): Promise<Provider>;
  /** The public keys a provider was built with (for verifying its own tokens without a database read). */
  verificationKeys(provider: Provider): ReturnType<typeof createLocalJWKSet>;
  /** Drop a tenant's provider now (after a local change of its keys or settings). */
  invalidate(tenantId: string): void;
}

/** How often a cached provider re-reads its tenant's keys to notice a rotation made by another process. */
const RECHECK_MS = 10_000;

const hasCurrentCookieKey = (keys: SigningKey[]) =>
  keys.some((key) => key.use === 'cookie' && key.state === 'current');

/** One oidc-provider instance per tenant (docs/operations.md#how-the-server-behaves), created lazily and cached. */
export function createTenantProviders(deps: ProvidersDeps): TenantProviders {
  // oidc-provider insists on a client_secret for client_secret_* clients; the real check is the HMAC.
  const inertClientSecret = randomBytes(32).toString('base64url');
  const cache = new Map<string, { provider: Promise<Provider>; fingerprint: string; checkedAt: number }>();

  const issuerOf = (tenant: Tenant) => issuerFor(primaryDomain(tenant) ?? 'localhost', deps.scheme);

  const publicKeys = new WeakMap<Provider, ReturnType<typeof createLocalJWKSet>>();

  /** Tenants whose keys are being read right now: concurrent first requests share one read. */
  const loading = new Map<string, Promise<Provider>>();

  async function loadKeys(tenant: Tenant): Promise<SigningKey[]> {
    const keys = await deps.storage.signingKeys.list(tenant.id);
    if (hasCurrentCookieKey(keys)) return keys;
    // A tenant without a cookie key (created before they existed, or by a tool): create one under a
    // lock, re-checking inside it, so processes starting together agree on a single current key —
    // two would make one process reject the session cookies the other signs.
    return withAdvisoryLock(deps.storage.db.sql, LOCKS.cookieKeys, tenant.id, async () => {
      const again = await deps.storage.signingKeys.list(tenant.id);
      if (hasCurrentCookieKey(again)) return again;
      await deps.storage.signingKeys.create(tenant.id, { alg: 'HS256', use: 'cookie', state: 'current' });
      return deps.storage.signingKeys.list(tenant.id);
    });
  }

  async function refresh(tenant: Tenant): Promise<Provider> {
    const cached = cache.get(tenant.id);
    const settings = `${tenant.updatedAt.toISOString()}|${tenant.domains.map((d) => d.domain).join(',')}`;
    // The periodic re-check reads only key ids and states; keys are decrypted only to build.
    if (cached && cached.fingerprint === `${await deps.storage.signingKeys.stamp(tenant.id)}|${settings}`) {
      cached.checkedAt = Date.now();
      return cached.provider;
    }
    const keys = await loadKeys(tenant);
    const provider = build(tenant, keys);
    cache.set(tenant.id, { provider, fingerprint: `${keysStamp(keys)}|${settings}`, checkedAt: Date.now() });
    provider.catch(() => cache.delete(tenant.id));
    return provider;
  }

  async function build(tenant: Tenant, keys: SigningKey[]): Promise<Provider> {
    let provider: Provider | undefined;
    const revokeGrantOfProvider = async (grantId: string) => {
      if (!provider) return;
      await revokeGrant(provider, grantId);
    };
    const adapter = withAtomicRotation(
      createAdapterFactory({
        tenantId: tenant.id,
        storage: deps.storage,
        kv: deps.kv.scoped(`t:${tenant.id}:`),
        inertClientSecret,
        revokeGrant: revokeGrantOfProvider,
      }),
    );
    const configuration = buildConfiguration({
      tenant,
      issuer: issuerOf(tenant),
      keys,
      storage: deps.storage,
      pages: deps.pages,
      adapter: adapter as never,
      postLogin: deps.postLogin,
      log: deps.log.child({ tenant: tenant.name }),
    });
    provider = new Provider(issuerOf(tenant), configuration);
    const resources = configuration.features!.resourceIndicators!;
    // Koa builds every URL (discovery, resume, logout form) and decides cookie `Secure` from
    // X-Forwarded-Host/-Proto when `proxy` is on. The server pins those headers on every request
    // to the tenant's own domain and the public scheme before any route runs (docs/security.md#45,
    // #51), so they are the only values Koa may read; the client's Host never is.
    provider.proxy = true;
    installUnavailable(provider, { pages: deps.pages, tenant, log: deps.log.child({ tenant: tenant.name }) });
    installPublicCaching(provider);
    installOfflineAccessAsAuth0(provider);
    installRotationCommit(provider, {
      tenantId: tenant.id,
      records: deps.storage.oidcRecords,
      revokeGrant: revokeGrantOfProvider,
    });
    patchProvider(provider, (clientId, secret) =>
      deps.storage.clients.verifySecret(tenant.id, clientId, secret),
    );
    publicKeys.set(provider, createLocalJWKSet(toPublicJwks(keys)));
    const log = deps.log.child({ tenant: tenant.name });
    provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'oidc-provider server error'));
    provider.on('grant.revoked', (_ctx, grantId) => log.info({ grantId }, 'grant revoked'));
    installAuditEvents(provider, { storage: deps.storage, tenantId: tenant.id, log });
    installPasswordGrant(provider, {
      tenant,
      storage: deps.storage,
      throttle: deps.throttle,
      postLogin: deps.postLogin,
      log,
      defaultResource: resources.defaultResource!,
      getResourceServerInfo: resources.getResourceServerInfo!,
      issueRefreshToken: configuration.issueRefreshToken!,
    });
    return provider;
  }

  return {
    verificationKeys(provider) {
      const keys = publicKeys.get(provider);
      if (!keys) throw new Error('not a provider built here');
      return keys;
    },
    async get(tenant) {
      const cached = cache.get(tenant.id);
      if (cached && Date.now() - cached.checkedAt < RECHECK_MS) return cached.provider;
      let pending = loading.get(tenant.id);
      if (!pending) {
        pending = refresh(tenant).finally(() => loading.delete(tenant.id));
        loading.set(tenant.id, pending);
      }
      return pending;
    },
    invalidate(tenantId) {
      cache.delete(tenantId);
    },
  };
}
