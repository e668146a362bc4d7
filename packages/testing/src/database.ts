import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@tessera/core';
import { openDatabase, openStorage, type Storage } from '@tessera/storage';

export interface TestDatabase {
  /** A fresh database on the DATABASE_URL server; undefined means PGlite under `dataDir`. */
  url: string | undefined;
  dataDir: string;
  /** Drops the database (even with connections still open) and removes `dataDir`. */
  drop(): Promise<void>;
}

/**
 * A database no other test sees: a uniquely named database on the server in DATABASE_URL (CI runs
 * the suite once that way), otherwise an empty folder for embedded PGlite. Test files run in
 * parallel, so nothing here may be shared.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-db-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { url: undefined, dataDir, drop: removeDir };

  const name = `tessera_t_${randomBytes(8).toString('hex')}`;
  await onServer(serverUrl, dataDir, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE (PostgreSQL 13+): a test that failed half-way may leave connections open.
      await onServer(serverUrl, dataDir, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await removeDir();
    },
  };
}

/** A migrated Storage on its own test database, with a random master key. */
export async function openTestStorage(): Promise<{ storage: Storage; drop(): Promise<void> }> {
  const database = await createTestDatabase();
  try {
    const storage = await openStorage({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 4,
      masterKey: randomBytes(32),
      log: silentLogger,
    });
    return {
      storage,
      async drop() {
        await storage.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** One statement on the server's maintenance database (the one DATABASE_URL names). */
async function onServer(serverUrl: string, dataDir: string, statement: string): Promise<void> {
  const admin = await openDatabase({
    url: serverUrl,
    dataDir,
    bootRetryMs: 0,
    poolSize: 1,
    log: silentLogger,
  });
  try {
    await admin.sql.exec(statement);
  } finally {
    await admin.close();
  }
}
