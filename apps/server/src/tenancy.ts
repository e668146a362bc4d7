import { ServiceUnavailableError, TesseraError } from '@tessera/core';
import { normalizeDomain, type Tenant, type TenantRepository } from '@tessera/storage';

export interface TenantResolver {
  /** The tenant serving a Host header value: its custom domain, else the default tenant. */
  resolve(host: string | undefined): Promise<Tenant>;
  /** Forget cached answers (after a tenant or its domains change). */
  invalidate(): void;
}

const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 1_000;

/**
 * Host → tenant through the custom-domain table (DESIGN.md "Tenants"), with a short in-process cache
 * so a login does not pay a database read per request. The cache is bounded: a flood of random Host
 * headers costs one lookup each and cannot grow memory.
 */
export function createTenantResolver(tenants: TenantRepository): TenantResolver {
  const cache = new Map<string, { tenant: Tenant; expires: number }>();

  async function lookup(host: string): Promise<Tenant> {
    const withoutPort = host.replace(/:\d+$/, '');
    const found =
      (host ? await tenants.findByDomain(host) : undefined) ??
      (withoutPort !== host ? await tenants.findByDomain(withoutPort) : undefined) ??
      (await tenants.getDefault());
    if (!found) throw new Error('no default tenant: the first-run setup has not completed');
    return found;
  }

  return {
    async resolve(rawHost) {
      const host = normalizeHost(rawHost);
      const now = Date.now();
      const hit = cache.get(host);
      if (hit && hit.expires > now) return hit.tenant;
      const tenant = await lookup(host).catch((error: unknown) => {
        // A failed lookup is the database failing: the request may succeed later (503, not 500).
        throw error instanceof TesseraError
          ? error
          : new ServiceUnavailableError('database', { cause: error });
      });
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(host, { tenant, expires: now + CACHE_TTL_MS });
      return tenant;
    },
    invalidate() {
      cache.clear();
    },
  };
}

/** Lowercase, no trailing dot; anything that is not a plausible host[:port] resolves to the default. */
export function normalizeHost(host: string | undefined): string {
  try {
    // The same rule as the custom-domain table (storage's normalizeDomain), minus a trailing dot.
    return normalizeDomain((host ?? '').trim().replace(/\.(?=:\d+$|$)/, ''));
  } catch {
    return '';
  }
}
