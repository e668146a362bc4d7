import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { SchemaEngine } from '@prisma/schema-engine-wasm';
import { silentLogger } from '@tessera/core';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { openDatabase } from '../src/database.ts';
import { migrate } from '../src/migrator.ts';
import { defaultMigrationsDir } from '../src/storage.ts';

// Our migrator stands in for `prisma migrate deploy`, whose native engine cannot be installed here.
// These tests put the claim "either tool can be used on the same database" to Prisma's own engine.

const open = (database: TestDatabase) =>
  openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    bootRetryMs: 0,
    poolSize: 2,
    log: silentLogger,
  });

/**
 * Runs `fn` with Prisma's own schema engine (the WASM build of what `prisma migrate deploy` runs) on
 * the test database, then lets go of it: on PGlite the engine and our code take turns on the folder.
 */
async function withPrismaEngine<T>(
  database: TestDatabase,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  // The engine leaves a 10 s timer of its own running after applying migrations, which kept this
  // file's process alive 10 s past its last test: the timers set while it works are cleared once it
  // is freed (nothing of it is left to time out by then).
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const setTimeoutBefore = globalThis.setTimeout;
  globalThis.setTimeout = Object.assign((...args: Parameters<typeof setTimeout>) => {
    const timer = setTimeoutBefore(...args);
    timers.add(timer);
    return timer;
  }, setTimeoutBefore);
  try {
    return await withEngine(database, fn);
  } finally {
    globalThis.setTimeout = setTimeoutBefore;
    for (const timer of timers) clearTimeout(timer);
  }
}

async function withEngine<T>(database: TestDatabase, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const pool = database.url ? new pg.Pool({ connectionString: database.url, max: 2 }) : undefined;
  const pglite = pool ? undefined : await PGlite.create(join(database.dataDir, 'pglite'));
  const factory = pool ? new PrismaPg(pool) : new PrismaPGlite(pglite!);
  const schemaPath = new URL('../../../prisma/schema.prisma', import.meta.url).pathname;
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, await readFile(schemaPath, 'utf8')]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool?.end();
    await pglite?.close();
  }
}

async function migrationsList(baseDir: string) {
  const names = (await readdir(baseDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const migrationDirectories = await Promise.all(
    names.sort().map(async (path) => ({
      path,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(baseDir, path, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lockfile = {
    path: 'migration_lock.toml',
    content: await readFile(join(baseDir, 'migration_lock.toml'), 'utf8'),
  };
  return { baseDir, lockfile, shadowDbInitScript: '', migrationDirectories };
}

const filters = { externalTables: [], externalEnums: [] };

describe('migrator and prisma migrate deploy take turns on one database', () => {
  it('finds nothing to do after Prisma applied the migrations, and records the same checksums', async () => {
    const database = await createTestDatabase();
    try {
      const list = await migrationsList(defaultMigrationsDir);
      const names = list.migrationDirectories.map((m) => m.path);
      const deployed = await withPrismaEngine(database, (engine) =>
        engine.applyMigrations({ migrationsList: list, filters }),
      );
      assert.deepEqual(deployed.appliedMigrationNames, names);
      const db = await open(database);
      try {
        const rows = await db.sql.query<{
          migration_name: string;
          checksum: string;
          applied_steps_count: number;
        }>(
          'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
        );
        const byPrisma = rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count]);
        assert.deepEqual(await migrate(db.sql, defaultMigrationsDir, silentLogger), { applied: [] });
        const expected = await Promise.all(
          names.map(async (name) => [
            name,
            createHash('sha256')
              .update(await readFile(join(defaultMigrationsDir, name, 'migration.sql')))
              .digest('hex'),
            1,
          ]),
        );
        assert.deepEqual(byPrisma, expected);
      } finally {
        await db.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('leaves a history Prisma reads as complete and unedited', async () => {
    const database = await createTestDatabase();
    try {
      const db = await open(database);
      await migrate(db.sql, defaultMigrationsDir, silentLogger);
      await db.close();
      const list = await migrationsList(defaultMigrationsDir);
      const [diagnosis, deployed] = await withPrismaEngine(database, async (engine) => [
        await engine.diagnoseMigrationHistory({
          migrationsList: list,
          optInToShadowDatabase: false,
          filters,
        }),
        await engine.applyMigrations({ migrationsList: list, filters }),
      ]);
      assert.deepEqual(diagnosis, {
        editedMigrationNames: [],
        failedMigrationNames: [],
        hasMigrationsTable: true,
        history: null,
      });
      assert.deepEqual(deployed, { appliedMigrationNames: [] });
    } finally {
      await database.drop();
    }
  });
});
