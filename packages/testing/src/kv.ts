import { randomBytes } from 'node:crypto';
import { type KvStore, silentLogger } from '@tessera/core';
import { createMemoryKv, createRedisKv } from '@tessera/storage';
import { Redis } from 'ioredis';

export interface TestKv {
  kv: KvStore;
  /** The Redis URL in use, undefined for the in-process store. */
  url: string | undefined;
  /** Every key this store writes starts with it. */
  prefix: string;
  /** Deletes this store's keys (and only those) and closes it. */
  cleanup(): Promise<void>;
}

/**
 * A KV store for one test: on the Redis in `REDIS_URL` under a random prefix of its own, so test files
 * running in parallel never see each other's keys and cleanup can never touch anyone else's data;
 * in process otherwise.
 */
export async function createTestKv(): Promise<TestKv> {
  const prefix = `tessera:test:${randomBytes(8).toString('hex')}:`;
  const url = process.env.REDIS_URL;
  if (!url) {
    const kv = createMemoryKv({ prefix });
    return { kv, url: undefined, prefix, cleanup: () => kv.close() };
  }
  const kv = createRedisKv({ url, prefix, log: silentLogger });
  try {
    // Fail at setup with the cause, not halfway through a test with a 503.
    await kv.ping();
  } catch (error) {
    await kv.close();
    throw new Error(`REDIS_URL is set but Redis does not answer: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let cleaning: Promise<void> | undefined;
  const cleanup = async () => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await deleteByPrefix(redis, prefix);
    } finally {
      redis.disconnect();
      await kv.close();
    }
  };
  return {
    kv,
    url,
    prefix,
    cleanup: () => {
      cleaning ??= cleanup();
      return cleaning;
    },
  };
}

/** SCAN, not KEYS: KEYS blocks a shared Redis while it walks the whole keyspace. */
async function deleteByPrefix(redis: Redis, prefix: string) {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
