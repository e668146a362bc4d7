import { normalizeDomain, primaryDomain, type Tenant, type TenantRepository } from '@tessera/storage';

/** Who answers a request, and on which of that tenant's own domains. */
export interface Served {
  tenant: Tenant;
  /**
   * The tenant's stored domain the Host matched (a tenant may have several), or its primary domain
   * when the Host matched none (docs/security.md#45): never the Host itself.
   */
  domain: string;
}

export interface TenantResolver {
  /** The tenant serving a Host header value: its custom domain, else the default tenant. */
  resolve(host: string | undefined): Promise<Served>;
  /** Forget cached answers (after a tenant or its domains change). */
  invalidate(): void;
}

const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 1_000;

/**
 * Host → tenant through the custom-domain table (docs/operations.md#how-the-server-behaves), with a short in-process cache
 * so a login does not pay a database read per request. The cache is bounded: a flood of random Host
 * headers costs one lookup each and cannot grow memory.
 */
export function createTenantResolver(tenants: TenantRepository): TenantResolver {
  const cache = new Map<string, { served: Served; expires: number }>();

  async function lookup(host: string): Promise<Served> {
    for (const candidate of new Set([host, host.replace(/:\d+$/, '')])) {
      const tenant = candidate ? await tenants.findByDomain(candidate) : undefined;
      const matched = tenant?.domains.find((d) => d.domain === candidate);
      if (tenant && matched) return { tenant, domain: matched.domain };
    }
    const fallback = await tenants.getDefault();
    if (!fallback) throw new Error('no default tenant: the first-run setup has not completed');
    return { tenant: fallback, domain: primaryDomain(fallback) ?? 'localhost' };
  }

  return {
    async resolve(rawHost) {
      const host = normalizeHost(rawHost);
      const now = Date.now();
      const hit = cache.get(host);
      if (hit && hit.expires > now) return hit.served;
      // A database that cannot be reached fails the lookup as a 503 (storage classifies it).
      const served = await lookup(host);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(host, { served, expires: now + CACHE_TTL_MS });
      return served;
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
