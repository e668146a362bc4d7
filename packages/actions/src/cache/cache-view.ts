/**
 * `api.cache` (docs/actions.md#cache). Auth0's cache calls are synchronous, so a run works on a
 * snapshot of the trigger's cache loaded before it starts; its writes are sent back as mutations and
 * merged into the store afterwards (action-cache.ts). Auth0 documents the cache as best effort ("items
 * may not be available in later transactions"), which is what makes the snapshot faithful.
 */
export interface CacheEntry {
  value: string;
  /** ms since the epoch */
  expires_at: number;
}
export type CacheEntries = Record<string, CacheEntry>;
export type CacheMutation =
  | { op: 'set'; key: string; value: string; expires_at: number }
  | { op: 'delete'; key: string };
export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

export const CACHE_LIMITS = {
  keyBytes: 64,
  valueBytes: 4096,
  entries: 20,
  totalBytes: 8192,
  maxTtlMs: 24 * 60 * 60 * 1000,
  defaultTtlMs: 24 * 60 * 60 * 1000,
} as const;

/** Keys that would become prototype links if the cache were ever merged into a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const utf8Length = (value: string) => Buffer.byteLength(value, 'utf8');
const totalBytes = (entries: CacheEntries) =>
  Object.entries(entries).reduce((sum, [key, entry]) => sum + utf8Length(key) + utf8Length(entry.value), 0);

/** Drops expired entries (and any that would not fit the limits) from a loaded cache. */
export function liveEntries(entries: CacheEntries, now: number): CacheEntries {
  const live: CacheEntries = Object.create(null);
  for (const [key, entry] of Object.entries(entries)) {
    if (
      entry &&
      typeof entry.value === 'string' &&
      Number.isFinite(entry.expires_at) &&
      entry.expires_at > now
    ) {
      live[key] = { value: entry.value, expires_at: entry.expires_at };
    }
  }
  return live;
}

/** Checks a `set` against the limits; returns the error code or the entry to store. */
export function validateSet(
  entries: CacheEntries,
  key: unknown,
  value: unknown,
  options: unknown,
  now: number,
): CacheWriteResult | CacheEntry {
  if (typeof key !== 'string' || key.length === 0 || FORBIDDEN_KEYS.has(key))
    return { type: 'error', code: 'invalid_key' };
  if (utf8Length(key) > CACHE_LIMITS.keyBytes) return { type: 'error', code: 'key_too_long' };
  if (typeof value !== 'string') return { type: 'error', code: 'invalid_value' };
  if (utf8Length(value) > CACHE_LIMITS.valueBytes) return { type: 'error', code: 'value_too_large' };
  let expiresAt = now + CACHE_LIMITS.defaultTtlMs;
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object') return { type: 'error', code: 'invalid_options' };
    const { ttl, expires_at } = options as { ttl?: unknown; expires_at?: unknown };
    if (ttl !== undefined) {
      if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)
        return { type: 'error', code: 'invalid_ttl' };
      expiresAt = now + ttl;
    } else if (expires_at !== undefined) {
      if (typeof expires_at !== 'number' || !Number.isFinite(expires_at) || expires_at <= now) {
        return { type: 'error', code: 'invalid_expires_at' };
      }
      expiresAt = expires_at;
    }
  }
  // Longer lifetimes are clamped to the maximum, as Auth0 does, rather than refused.
  expiresAt = Math.min(expiresAt, now + CACHE_LIMITS.maxTtlMs);
  const next = { ...entries, [key]: { value, expires_at: expiresAt } };
  if (Object.keys(next).length > CACHE_LIMITS.entries) return { type: 'error', code: 'too_many_entries' };
  if (totalBytes(next) > CACHE_LIMITS.totalBytes) return { type: 'error', code: 'cache_full' };
  return { value, expires_at: expiresAt };
}

/** The cache as one run sees it: reads hit the snapshot plus this run's own writes. */
export class CacheView {
  #entries: CacheEntries;
  readonly mutations: CacheMutation[] = [];
  readonly #now: () => number;

  constructor(entries: CacheEntries, now: () => number = Date.now) {
    this.#now = now;
    this.#entries = liveEntries(entries, now());
  }

  get(key: unknown): CacheEntry | null {
    if (typeof key !== 'string') return null;
    const entry = Object.hasOwn(this.#entries, key) ? this.#entries[key] : undefined;
    if (entry === undefined || entry.expires_at <= this.#now()) return null;
    return { value: entry.value, expires_at: entry.expires_at };
  }

  set(key: unknown, value: unknown, options: unknown): CacheWriteResult {
    const checked = validateSet(this.#entries, key, value, options, this.#now());
    if ('type' in checked) return checked;
    this.#entries = { ...this.#entries, [key as string]: checked };
    this.mutations.push({ op: 'set', key: key as string, ...checked });
    return { type: 'success' };
  }

  delete(key: unknown): CacheWriteResult {
    if (typeof key !== 'string' || key.length === 0) return { type: 'error', code: 'invalid_key' };
    if (Object.hasOwn(this.#entries, key)) {
      const { [key]: _removed, ...rest } = this.#entries;
      this.#entries = rest;
    }
    this.mutations.push({ op: 'delete', key });
    return { type: 'success' };
  }
}

/** Replays a run's mutations over the current stored cache, keeping the limits (used by the server). */
export function applyCacheMutations(
  entries: CacheEntries,
  mutations: readonly CacheMutation[],
  now: number,
): CacheEntries {
  let current = liveEntries(entries, now);
  for (const mutation of mutations) {
    if (mutation.op === 'delete') {
      const { [mutation.key]: _removed, ...rest } = current;
      current = rest;
      continue;
    }
    const checked = validateSet(
      current,
      mutation.key,
      mutation.value,
      { expires_at: mutation.expires_at },
      now,
    );
    // Another run may have filled the cache meanwhile: the write is dropped (best effort, as documented).
    if (!('type' in checked)) current = { ...current, [mutation.key]: checked };
  }
  return current;
}
