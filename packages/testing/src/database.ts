import { execFile } from 'node:child_process';
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
 * Set by `pnpm test` on Postgres (packages/testing/bin/run-suite.mjs): a database with every migration
 * applied that migrated test databases are copied from. A copy costs a fraction of migrating.
 */
export const TEMPLATE_DATABASE_ENV = 'TESSERA_TEST_TEMPLATE_DATABASE';
/**
 * Set by `pnpm test` on Postgres: a folder where a test leaves the name of a database it is done with,
 * for the runner to drop. Postgres forces a checkpoint for every DROP DATABASE (a flush of every dirty
 * page, ~0.4 s even on an idle server); the runner drops many at once, sharing checkpoints, while the
 * test moves on.
 */
export const DROP_QUEUE_ENV = 'TESSERA_TEST_DROP_QUEUE';

export interface TestDatabaseOptions {
  /**
   * Every migration applied already, as a server leaves its database after its first boot (the
   * server's own migrator then finds nothing to do): a copy of a migrated template (PGlite's below,
   * or the runner's on Postgres), else migrated here. Without it the database is empty.
   */
  migrated?: boolean;
}

/**
 * A database no other test sees: a uniquely named database on the server in DATABASE_URL (CI runs
 * the suite once that way), otherwise a folder for embedded PGlite. Test files run in parallel, so
 * nothing here may be shared.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-db-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    if (options.migrated) await placeMigratedPglite(dataDir);
    return { url: undefined, dataDir, drop: removeDir };
  }

  const name = `tessera_t_${randomBytes(8).toString('hex')}`;
  const template = options.migrated ? process.env[TEMPLATE_DATABASE_ENV] : undefined;
  await onServer(serverUrl, dataDir, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const database: TestDatabase = {
    url: url.toString(),
    dataDir,
    async drop() {
      if (dropped) return;
      dropped = true;
      const queue = process.env[DROP_QUEUE_ENV];
      if (queue) await writeFile(join(queue, name), '');
      // FORCE (PostgreSQL 13+): a test that failed half-way may leave connections open.
      else await onServer(serverUrl, dataDir, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await removeDir();
    },
  };
  if (options.migrated && !template) {
    // A test file run on its own (no runner, so no template): the migrator does what a copy would.
    await applyMigrations(url.toString(), dataDir).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
  }
  return database;
}

/** Every migration applied to the database at `url`, as a server's boot applies them. */
export async function applyMigrations(url: string | undefined, dataDir: string): Promise<void> {
  // The master key seals secrets; the schema and the migrations never read it.
  const storage = await openStorage({
    url,
    dataDir,
    bootRetryMs: 0,
    poolSize: 1,
    masterKey: randomBytes(32),
    log: silentLogger,
  });
  await storage.close();
}

/** A migrated Storage on its own test database, with a random master key. */
export async function openTestStorage(): Promise<{ storage: Storage; drop(): Promise<void> }> {
  const database = await createTestDatabase({ migrated: true });
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
  builtTemplate ??= pgliteTemplate();
  const template = await builtTemplate;
  const target = join(dataDir, 'pglite');
  // The system's cp: ~80 ms for the template's 1,100 files, where fs.cp spends 0.3–0.7 s of this
  // process's CPU on them (a test server boots on a copy, and the suite boots hundreds).
  const copied = await new Promise<boolean>((resolve) =>
    execFile('cp', ['-R', template, target], (error) => resolve(error === null)),
  );
  if (!copied) {
    await rm(target, { recursive: true, force: true });
    await cp(template, target, { recursive: true });
  }
}

/** Once per process: the template does not change during a run. */
let builtTemplate: Promise<string> | undefined;

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
    await applyMigrations(undefined, building);
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
