import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@tessera/core';
import { defaultMigrationsDir, openDatabase, openStorage, type Storage } from '@tessera/storage';

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

/**
 * Puts under `dataDir` (a server's TESSERA_DATA_DIR) a PGlite database with every migration applied, built once per checkout and PGlite version and shared
 * by the suite's test processes (under the system's temporary folder): a new PGlite folder costs
 * seconds of initdb, a copy of this one a fraction, and test servers boot many times. The servers still
 * run the real migrator at boot; it finds nothing left to apply. Built in a folder of its own and
 * renamed into place, so concurrent builders never see half of one (the loser's copy is dropped).
 */
export async function placeMigratedPglite(dataDir: string): Promise<void> {
  await cp(await pgliteTemplate(), join(dataDir, 'pglite'), { recursive: true });
}

async function pgliteTemplate(): Promise<string> {
  // The installed PGlite's path names its version (a new PGlite may lay out its files differently).
  const hash = createHash('sha256').update(import.meta.resolve('@electric-sql/pglite'));
  for (const name of (await readdir(defaultMigrationsDir)).sort()) {
    const file = join(defaultMigrationsDir, name, 'migration.sql');
    if (existsSync(file)) hash.update(name).update(await readFile(file));
  }
  const template = join(tmpdir(), `tessera-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(template, 'ready'))) return join(template, 'pglite');
  const building = await mkdtemp(join(tmpdir(), 'tessera-pglite-build-'));
  try {
    const storage = await openStorage({
      url: undefined,
      dataDir: building,
      bootRetryMs: 0,
      poolSize: 1,
      masterKey: randomBytes(32),
      log: silentLogger,
    });
    await storage.close();
    await writeFile(join(building, 'ready'), '');
    await rename(building, template).catch(() => {});
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return join(template, 'pglite');
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
