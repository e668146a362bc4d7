import { type KvStore, ServiceUnavailableError } from '@tessera/core';
import { counterMax, lifetimeMs, windowMs } from './ttl.ts';

export interface MemoryKvOptions {
  /** Prepended to every key, as the Redis store does, so both stores see the same key names. */
  prefix?: string;
  /** How often expired entries that nobody reads again are dropped. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** Entries examined per sweep. Default 1000: a sweep never stalls the event loop on a huge map. */
  sweepBatch?: number;
}

/** The in-process store; `size` (entries held, expired ones not yet swept included) is for metrics and tests. */
export interface MemoryKv extends KvStore {
  readonly size: number;
}

interface Entry {
  value: string;
  /** On the monotonic clock (`performance.now()`), so a wall-clock jump neither revives nor kills keys. */
  expiresAt: number;
}

interface Shared {
  entries: Map<string, Entry>;
  closed: boolean;
}

/**
 * Single-process store. Every operation reads and writes the map without an `await` in between, so each
 * one is atomic by construction (consume and compareAndSet have exactly one winner). Expiry is lazy on
 * every read, plus a sweep so keys nobody reads again do not leak.
 */
export function createMemoryKv(options: MemoryKvOptions = {}): MemoryKv {
  const shared: Shared = { entries: new Map(), closed: false };
  const batch = options.sweepBatch ?? 1000;
  // A Map iterator stays valid across inserts and deletes, so each sweep resumes where the last stopped
  // and the whole map is covered in bounded slices.
  let cursor = shared.entries.entries();
  const timer = setInterval(() => {
    const now = performance.now();
    for (let i = 0; i < batch; i++) {
      const next = cursor.next();
      if (next.done) {
        cursor = shared.entries.entries();
        return;
      }
      const [key, entry] = next.value;
      if (entry.expiresAt <= now) shared.entries.delete(key);
    }
  }, options.sweepIntervalMs ?? 1000);
  // The sweep alone must never keep a process (a CLI, a test run) alive.
  timer.unref();

  const close = async () => {
    if (shared.closed) return;
    shared.closed = true;
    clearInterval(timer);
    shared.entries.clear();
  };
  return view(shared, options.prefix ?? '', close);
}

function view(shared: Shared, prefix: string, close: () => Promise<void>): MemoryKv {
  const { entries } = shared;
  // Closed behaves like an unreachable Redis, so callers handle one failure shape for both stores.
  const ensureOpen = () => {
    if (shared.closed) throw new ServiceUnavailableError('kv', { cause: new Error('memory kv is closed') });
  };
  const keyOf = (key: string) => {
    ensureOpen();
    return prefix + key;
  };
  const live = (full: string) => {
    const entry = entries.get(full);
    if (entry === undefined || entry.expiresAt > performance.now()) return entry;
    entries.delete(full);
    return undefined;
  };
  const deadline = (ms: number | undefined) =>
    ms === undefined ? Number.POSITIVE_INFINITY : performance.now() + ms;

  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      return live(keyOf(key))?.value;
    },
    async set(key, value, ttlMs) {
      entries.set(keyOf(key), { value, expiresAt: deadline(lifetimeMs(ttlMs)) });
    },
    async delete(key) {
      const full = keyOf(key);
      return live(full) !== undefined && entries.delete(full);
    },
    async consume(key) {
      const full = keyOf(key);
      const entry = live(full);
      if (entry !== undefined) entries.delete(full);
      return entry?.value;
    },
    async compareAndSet(key, expected, next, ttlMs) {
      const full = keyOf(key);
      const entry = live(full);
      if ((entry?.value ?? null) !== expected) return false;
      if (next === null) entries.delete(full);
      else {
        const ms = lifetimeMs(ttlMs);
        const expiresAt = ms === undefined ? (entry?.expiresAt ?? Number.POSITIVE_INFINITY) : deadline(ms);
        entries.set(full, { value: next, expiresAt });
      }
      return true;
    },
    async reserve(counters) {
      // Checked in full before anything is written: a bad argument or a non-counter changes nothing.
      const plan = counters.map((counter) => {
        const full = keyOf(counter.key);
        const entry = live(full);
        return {
          full,
          entry,
          count: entry === undefined ? 0 : counterValue(entry.value),
          max: counterMax(counter.max),
          window: windowMs(counter.ttlMs),
          sliding: counter.sliding === true,
        };
      });
      const reserved = plan.every((item) => item.count < item.max);
      if (reserved) {
        for (const item of plan) {
          item.count += 1;
          const keep =
            !item.sliding && item.entry !== undefined && item.entry.expiresAt !== Number.POSITIVE_INFINITY;
          const expiresAt = keep ? item.entry!.expiresAt : deadline(item.window);
          item.entry = { value: String(item.count), expiresAt };
          entries.set(item.full, item.entry);
        }
      }
      const now = performance.now();
      return {
        reserved,
        counts: plan.map((item) => item.count),
        ttlsMs: plan.map(({ entry }) =>
          entry === undefined
            ? undefined
            : entry.expiresAt === Number.POSITIVE_INFINITY
              ? Number.POSITIVE_INFINITY
              : Math.ceil(entry.expiresAt - now),
        ),
      };
    },
    async release(counters) {
      // As in reserve, every value is read (and checked) before any is written.
      const plan = counters.flatMap((counter) => {
        const full = keyOf(counter.key);
        const entry = live(full);
        if (entry === undefined) return [];
        return [{ full, entry, count: counter.reset ? 0 : counterValue(entry.value) - 1 }];
      });
      for (const { full, entry, count } of plan) {
        if (count <= 0) entries.delete(full);
        else entries.set(full, { value: String(count), expiresAt: entry.expiresAt });
      }
    },
    async ttl(key) {
      const entry = live(keyOf(key));
      if (entry === undefined) return undefined;
      if (entry.expiresAt === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      return Math.ceil(entry.expiresAt - performance.now());
    },
    scoped(scope) {
      // Views share the map; only the root owns the store, so closing a view releases nothing.
      return view(shared, prefix + scope, async () => {});
    },
    async ping() {
      ensureOpen();
    },
    close,
  };
}

/** Redis INCR refuses a value that is not an integer; the memory store must fail the same way. */
function counterValue(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new Error('value is not an integer or out of range');
  return n;
}
