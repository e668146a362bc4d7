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
  /**
   * Increments several counters in one atomic step, all or none: when every counter is below its
   * `max`, each one is incremented and `reserved` is true; otherwise none changes. A limit that guards
   * a slow check (a password verification) reserves its place this way before the check, so concurrent
   * attempts can never take more places than the limit (docs/security.md#41). The keys of one call must
   * be distinct and live on one Redis node.
   */
  reserve(counters: readonly CounterLimit[]): Promise<Reservation>;
  /**
   * Gives places back in one atomic step: each counter is lowered by one (removed when it reaches
   * zero) or, with `reset`, removed. An absent counter stays absent; lifetimes are kept.
   */
  release(counters: readonly CounterRelease[]): Promise<void>;
  /** Remaining lifetime in ms; undefined when the key is absent, Infinity when it never expires. */
  ttl(key: string): Promise<number | undefined>;
  /** The same store with every key under `prefix` (per-tenant and per-feature namespaces). */
  scoped(prefix: string): KvStore;
  /** Resolves when the store answers; rejects with ServiceUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One counter of `KvStore.reserve`. */
export interface CounterLimit {
  key: string;
  /** The reservation is refused while this counter is at `max` or above (a positive integer). */
  max: number;
  /**
   * Lifetime in ms: a window that starts at the counter's first increment and that later increments
   * never extend, or, when `sliding`, that starts over at every increment.
   */
  ttlMs: number;
  sliding?: boolean;
}

export interface Reservation {
  /** True when every counter was below its max and was incremented; false when none changed. */
  reserved: boolean;
  /** Each counter's value after the call (0 when absent), in the order given. */
  counts: number[];
  /** Each counter's remaining lifetime in ms after the call; undefined when absent. */
  ttlsMs: (number | undefined)[];
}

/** One counter of `KvStore.release`. */
export interface CounterRelease {
  key: string;
  /** Remove the counter instead of lowering it by one. */
  reset?: boolean;
}
