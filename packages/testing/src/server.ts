import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './database.ts';

export interface TestEnvironment {
  /** Environment variables for a Tessera process (or `boot({ env })`) on its own database and key prefix. */
  env: Record<string, string>;
  dataDir: string;
  /** Drops the database, deletes the Redis keys under the prefix and the data folder. */
  cleanup(): Promise<void>;
}

/**
 * Everything a test server needs, isolated from every other test: a fresh migrated database (a uniquely
 * named Postgres database when DATABASE_URL is set, else a PGlite folder), a unique Redis key prefix when
 * REDIS_URL is set, its own data folder and master key, and port 0 (the OS picks a free port).
 */
export async function createTestEnvironment(
  overrides: Record<string, string> = {},
): Promise<TestEnvironment> {
  // Migrated already, as after the server's first boot: each boot's migrator then finds nothing to do.
  const database = await createTestDatabase({ migrated: true });
  // Embedded, the database's folder is the server's data folder (PGlite lives in <dataDir>/pglite).
  const dataDir = database.url ? await mkdtemp(join(tmpdir(), 'tessera-server-')) : database.dataDir;
  const prefix = `tessera:test:${randomBytes(6).toString('hex')}:`;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    TESSERA_DOMAIN: 'localhost:3000',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    TESSERA_SHUTDOWN_TIMEOUT_MS: '5000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, TESSERA_REDIS_PREFIX: prefix } : {}),
    ...overrides,
  };
  return {
    env,
    dataDir,
    async cleanup() {
      if (env.REDIS_URL) await deleteRedisPrefix(env.REDIS_URL, env.TESSERA_REDIS_PREFIX ?? prefix);
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Deletes only the keys this test created (never FLUSHDB: the server is shared). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
