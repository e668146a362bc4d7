/**
 * Short-lived state (sessions, interactions, codes, replay caches, rate limits, `api.cache`).
 * Implemented on Redis when `REDIS_URL` is set and in process otherwise (packages/storage/src/kv).
 * Every operation fails with `ServiceUnavailableError('kv')` when the store cannot be reached; none of
 * them blocks waiting for it to come back.
 */
export interface KvStore {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores a value; `ttlMs` (> 0) makes it expire, otherwise it lives until deleted. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deletes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Atomically reads and deletes a key: of any number of concurrent callers exactly one receives the
   * value, the others undefined. Single-use states (`/continue` state, one-time codes) use this.
   */
  consume(key: string): Promise<string | undefined>;
  /**
   * Compare-and-set: replaces the value only if the current value equals `expected` (`null` = the key
   * must be absent). `next` null deletes it. Returns true for the caller that won. With `ttlMs` the
   * new value gets that lifetime; without it, an existing lifetime is kept.
   */
  compareAndSet(key: string, expected: string | null, next: string | null, ttlMs?: number): Promise<boolean>;
  /** Adds 1 to a counter and returns the new count; the window (`ttlMs`) starts at the first increment. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Remaining lifetime in ms; undefined when the key is absent, Infinity when it never expires. */
  ttl(key: string): Promise<number | undefined>;
  /** The same store with every key under `prefix` (per-tenant and per-feature namespaces). */
  scoped(prefix: string): KvStore;
  /** Resolves when the store answers; rejects with ServiceUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
