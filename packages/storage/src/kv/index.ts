import type { KvStore, Logger } from '@tessera/core';
import type { RedisOptions } from 'ioredis';
import { createMemoryKv } from './memory.ts';
import { createRedisKv } from './redis.ts';

export { createMemoryKv, type MemoryKv, type MemoryKvOptions } from './memory.ts';
export { createRedisKv, type RedisKvOptions } from './redis.ts';

export interface KvOptions {
  /** `REDIS_URL`: Redis when set (required for more than one process), the in-process store otherwise. */
  url?: string;
  prefix: string;
  log: Logger;
  /** Extra ioredis options (TLS, Sentinel, timeouts), used only with `url`. */
  redisOptions?: RedisOptions;
}

export function createKv(options: KvOptions): KvStore {
  if (options.url) {
    const { url, prefix, log, redisOptions } = options;
    return createRedisKv({ url, prefix, log, redisOptions });
  }
  return createMemoryKv({ prefix: options.prefix });
}
