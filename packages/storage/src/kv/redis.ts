import type { KvStore, Logger } from '@tessera/core';
import { Redis, type RedisOptions } from 'ioredis';
import { createOutageLog, toKvError } from './redis-errors.ts';
import { compareAndSetLua, type KvScripts, releaseLua, reserveLua } from './redis-scripts.ts';
import { counterMax, lifetimeMs, windowMs } from './ttl.ts';

export interface RedisKvOptions {
  /** `redis://` or `rediss://` (TLS); user, password and database index may be part of it. */
  url: string;
  /** Prepended to every key (e.g. `tessera:`), so deployments and test runs can share one Redis. */
  prefix: string;
  log: Logger;
  /**
   * Extra ioredis options (TLS, Sentinel, timeouts, retryStrategy). They override the defaults below but
   * not the fail-fast settings, which the `KvStore` contract depends on.
   */
  redisOptions?: RedisOptions;
}

const defaults: RedisOptions = {
  connectTimeout: 2_000,
  // A half-open connection (peer gone without a RST) would otherwise hold a request until TCP gives up.
  commandTimeout: 2_000,
  // Reconnect forever with capped backoff, so the store recovers by itself when Redis returns.
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
};

// The port says operations fail while the store is unreachable and never wait for it to come back.
const failFast: RedisOptions = {
  // While disconnected, a command is refused at once instead of queued in memory until reconnection.
  enableOfflineQueue: false,
  // Commands in flight when the connection drops fail at once and are never re-sent: GETDEL, the CAS
  // script and INCR are not idempotent, and a re-sent CAS that had already won would report a loss.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // The first-connection gate below needs the connection to start now.
  lazyConnect: false,
};

/** The Redis store: one connection shared by the root and all its scoped views. */
export function createRedisKv(options: RedisKvOptions): KvStore {
  // ioredis only turns TLS on for a lower-case `rediss://`; a mis-cased scheme must not send the
  // password in clear text.
  const tls = /^rediss:\/\//i.test(options.url) && !options.redisOptions?.tls ? { tls: {} } : {};
  const client = new Redis(options.url, { ...defaults, ...options.redisOptions, ...tls, ...failFast });
  client.defineCommand('kvCompareAndSet', { numberOfKeys: 1, lua: compareAndSetLua });
  // Without numberOfKeys ioredis takes the key count as the first argument of each call.
  client.defineCommand('kvReserve', { lua: reserveLua });
  client.defineCommand('kvRelease', { lua: releaseLua });
  const scripts = client as Redis & KvScripts;

  // Without a listener ioredis prints each failed reconnect to stderr, and a few of its paths emit
  // 'error' directly, which would crash the process.
  const outage = createOutageLog(options.log.child({ component: 'kv' }));
  client.on('error', (err: Error) => outage.error(err));
  client.on('ready', () => outage.ready());

  // With the offline queue off, commands sent before the first connection is ready would be refused:
  // every request in the first milliseconds after boot. Those, and only those, wait for the first
  // connection to be ready or to fail (bounded by connectTimeout); later outages fail fast.
  let firstConnection: Promise<void> | undefined = new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      client.off('ready', onReady).off('close', onClose);
      firstConnection = undefined;
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onClose = () => settle(new Error('Connection is closed.'));
    client.once('ready', onReady).once('close', onClose);
  });
  firstConnection.catch(() => {});

  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      if (firstConnection) await firstConnection;
      return await command();
    } catch (error) {
      throw toKvError(error);
    }
  };

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= client.quit().then(
      () => {},
      // quit() cannot be sent while disconnected; disconnect() also stops the reconnect loop.
      () => client.disconnect(),
    );
    return closing;
  };

  const view = (prefix: string, closeView: () => Promise<void>): KvStore => ({
    get: (key) => run(async () => (await client.get(prefix + key)) ?? undefined),
    set: (key, value, ttlMs) =>
      run(async () => {
        const ms = lifetimeMs(ttlMs);
        await (ms === undefined
          ? client.set(prefix + key, value)
          : client.set(prefix + key, value, 'PX', ms));
      }),
    delete: (key) => run(async () => (await client.del(prefix + key)) > 0),
    consume: (key) => run(async () => (await client.getdel(prefix + key)) ?? undefined),
    compareAndSet: (key, expected, next, ttlMs) =>
      run(async () => {
        const won = await scripts.kvCompareAndSet(
          prefix + key,
          expected === null ? '0' : '1',
          expected ?? '',
          next === null ? '0' : '1',
          next ?? '',
          String(lifetimeMs(ttlMs) ?? ''),
        );
        return won === 1;
      }),
    reserve: async (counters) => {
      // Checked here, before the round trip, with the same errors as the memory store.
      const args = counters.flatMap((c) => [counterMax(c.max), windowMs(c.ttlMs), c.sliding ? '1' : '0']);
      return run(async () => {
        const keys = counters.map((c) => prefix + c.key);
        const [reserved, ...rest] = await scripts.kvReserve(keys.length, ...keys, ...args);
        return {
          reserved: reserved === 1,
          counts: counters.map((_, i) => rest[2 * i]!),
          ttlsMs: counters.map((_, i) => pttl(rest[2 * i + 1]!)),
        };
      });
    },
    release: (counters) =>
      run(async () => {
        if (counters.length === 0) return;
        const keys = counters.map((c) => prefix + c.key);
        await scripts.kvRelease(keys.length, ...keys, ...counters.map((c) => (c.reset ? '1' : '0')));
      }),
    ttl: (key) =>
      run(async () => {
        return pttl(await client.pttl(prefix + key));
      }),
    // Views share the connection; only the root owns it, so closing a view releases nothing.
    scoped: (scope) => view(prefix + scope, async () => {}),
    ping: () =>
      run(async () => {
        await client.ping();
      }),
    close: closeView,
  });
  return view(options.prefix, close);
}

/** PTTL's answer as the port says it: -2 absent (undefined), -1 no expiry (Infinity), else ms. */
function pttl(ms: number): number | undefined {
  if (ms === -2) return undefined;
  return ms === -1 ? Number.POSITIVE_INFINITY : ms;
}
