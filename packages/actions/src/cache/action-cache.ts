import type { KvStore } from '@tessera/core';
import { applyCacheMutations, type CacheEntries, type CacheMutation, liveEntries } from './cache-view.ts';

/** The KV key of a tenant's cache for one trigger: Auth0 scopes `api.cache` to the trigger. */
const keyOf = (tenantId: string, trigger: string) => `${tenantId}:${trigger}`;
const MAX_ATTEMPTS = 4;

function decode(raw: string | undefined): CacheEntries {
  if (raw === undefined) return Object.create(null);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as CacheEntries;
  } catch {
    // A corrupt record is treated as an empty cache: the cache is best effort by contract.
  }
  return Object.create(null);
}

/** Reads the trigger's cache; an unreachable store reads as empty (best effort), never failing a login. */
export async function loadActionCache(kv: KvStore, tenantId: string, trigger: string): Promise<CacheEntries> {
  try {
    return liveEntries(decode(await kv.get(keyOf(tenantId, trigger))), Date.now());
  } catch {
    return Object.create(null);
  }
}

/**
 * Merges one run's writes into the stored cache with compare-and-set, so concurrent logins of the same
 * tenant do not erase each other's entries. Returns false when the writes could not be stored.
 */
export async function saveActionCache(
  kv: KvStore,
  tenantId: string,
  trigger: string,
  mutations: readonly CacheMutation[],
): Promise<boolean> {
  if (mutations.length === 0) return true;
  const key = keyOf(tenantId, trigger);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await kv.get(key);
      const now = Date.now();
      const next = applyCacheMutations(decode(raw), mutations, now);
      const expiries = Object.values(next).map((entry) => entry.expires_at);
      const ttl = expiries.length === 0 ? undefined : Math.max(1, Math.max(...expiries) - now);
      const value = ttl === undefined ? null : JSON.stringify(next);
      if (await kv.compareAndSet(key, raw ?? null, value, ttl)) return true;
    }
  } catch {
    // Best effort: a store outage loses cache writes, never the login.
  }
  return false;
}
