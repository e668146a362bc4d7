import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { type Database, openDatabase } from '../src/database.ts';
import { migrate } from '../src/migrator.ts';
import { defaultMigrationsDir } from '../src/storage.ts';

const open = (database: TestDatabase) =>
  openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    bootRetryMs: 0,
    poolSize: 2,
    log: silentLogger,
  });

interface Row {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}
const history = (db: Database) =>
  db.sql.query<Row>('SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name');
const tableExists = async (db: Database, table: string) =>
  (await db.sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]))[0]?.t != null;

/** A migrations folder of our own making, in Prisma's layout. */
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migrator on the project migrations', () => {
  let database: TestDatabase;
  let db: Database;
  const names: string[] = [];
  before(async () => {
    database = await createTestDatabase();
    db = await open(database);
    const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
    names.push(
      ...entries
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(),
    );
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  it('applies every migration to a fresh database and records it as prisma migrate deploy does', async () => {
    assert.deepEqual(await migrate(db.sql, defaultMigrationsDir, silentLogger), { applied: names });
    const rows = await history(db);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      names,
    );
    for (const row of rows) {
      const file = await readFile(join(defaultMigrationsDir, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(file).digest('hex'));
      assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(row.finished_at instanceof Date);
      assert.equal(row.rolled_back_at, null);
      assert.equal(row.logs, null);
      assert.equal(row.applied_steps_count, 1);
    }
  });

  it('keeps the history table in the exact shape Prisma creates', async () => {
    const columns = await db.sql.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
              pg_get_expr(d.adbin, d.adrelid) AS "default"
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = '"_prisma_migrations"'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
    );
    assert.deepEqual(columns, [
      { name: 'id', type: 'character varying(36)', not_null: true, default: null },
      { name: 'checksum', type: 'character varying(64)', not_null: true, default: null },
      { name: 'finished_at', type: 'timestamp with time zone', not_null: false, default: null },
      { name: 'migration_name', type: 'character varying(255)', not_null: true, default: null },
      { name: 'logs', type: 'text', not_null: false, default: null },
      { name: 'rolled_back_at', type: 'timestamp with time zone', not_null: false, default: null },
      { name: 'started_at', type: 'timestamp with time zone', not_null: true, default: 'now()' },
      { name: 'applied_steps_count', type: 'integer', not_null: true, default: '0' },
    ]);
    const [pk] = await db.sql.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = '"_prisma_migrations"'::regclass AND contype = 'p'`,
    );
    assert.equal(pk?.def, 'PRIMARY KEY (id)');
  });

  it('applies nothing when run again, and releases its advisory lock', async () => {
    assert.deepEqual(await migrate(db.sql, defaultMigrationsDir, silentLogger), { applied: [] });
    assert.equal((await history(db)).length, names.length);
    const locks = await db.sql.query(
      // Only this database's locks: other tests migrate their own databases on the same server.
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    assert.equal(locks.length, 0);
  });

  it('refuses a migration that was modified after it was applied', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'tessera-migrations-'));
    try {
      await cp(defaultMigrationsDir, copy, { recursive: true });
      await appendFile(join(copy, names[0]!, 'migration.sql'), '\n-- an innocent-looking edit\n');
      await assert.rejects(migrate(db.sql, copy, silentLogger), {
        message: new RegExp(`^migration ${names[0]} was modified after it was applied`),
      });
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});

describe('migrator failures', () => {
  let database: TestDatabase;
  let db: Database;
  let dir: string;
  before(async () => {
    database = await createTestDatabase();
    db = await open(database);
    dir = await migrationsDir({
      '0001_first': 'CREATE TABLE "first_table" ("id" TEXT PRIMARY KEY);',
      '0002_second': 'CREATE TABLE "second_table" ("id" TEXT PRIMARY KEY);\nSELECT 1 / 0;',
    });
  });
  after(async () => {
    await db?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rolls a failing migration back entirely, records it as rolled back and names it', async () => {
    await assert.rejects(migrate(db.sql, dir, silentLogger), {
      message: /^migration 0002_second failed and was rolled back: division by zero/,
    });
    assert.equal(await tableExists(db, 'first_table'), true, 'the first migration stays applied');
    assert.equal(await tableExists(db, 'second_table'), false, 'nothing of the failed one remains');
    const [first, second] = await history(db);
    assert.equal(first?.migration_name, '0001_first');
    assert.ok(first?.finished_at);
    assert.equal(second?.migration_name, '0002_second');
    assert.equal(second?.finished_at, null);
    assert.ok(second?.rolled_back_at instanceof Date);
    assert.match(second?.logs ?? '', /division by zero/);
  });

  it('applies the fixed migration on the next run', async () => {
    await writeFile(
      join(dir, '0002_second', 'migration.sql'),
      'CREATE TABLE "second_table" ("id" TEXT PRIMARY KEY);',
    );
    assert.deepEqual(await migrate(db.sql, dir, silentLogger), { applied: ['0002_second'] });
    assert.equal(await tableExists(db, 'second_table'), true);
    const rows = (await history(db)).filter((r) => r.migration_name === '0002_second');
    assert.deepEqual(
      rows.map((r) => [r.rolled_back_at !== null, r.finished_at !== null]),
      [
        [true, false],
        [false, true],
      ],
    );
  });

  it('refuses to continue from a migration Prisma left neither finished nor rolled back', async () => {
    await mkdir(join(dir, '0003_third'));
    await writeFile(join(dir, '0003_third', 'migration.sql'), 'CREATE TABLE "third_table" ("id" TEXT);');
    await db.sql.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES (gen_random_uuid()::text, 'x', '0003_third')`,
    );
    await assert.rejects(migrate(db.sql, dir, silentLogger), {
      message: /^migration 0003_third was started but neither finished nor rolled back/,
    });
    assert.equal(await tableExists(db, 'third_table'), false);
  });
});

describe('migrator concurrency', () => {
  it('applies each migration once when several processes boot at the same time', async () => {
    const database = await createTestDatabase();
    // Postgres: separate pools, as separate processes would have. PGlite: one instance per data
    // folder, so concurrent callers share it.
    const first = await open(database);
    const second = database.url ? await open(database) : first;
    try {
      const results = await Promise.all([
        migrate(first.sql, defaultMigrationsDir, silentLogger),
        migrate(second.sql, defaultMigrationsDir, silentLogger),
      ]);
      const applied = results.map((r) => r.applied.length).sort();
      const total = (await readdir(defaultMigrationsDir, { withFileTypes: true })).filter((e) =>
        e.isDirectory(),
      );
      assert.deepEqual(applied, [0, total.length]);
      assert.equal((await history(first)).length, total.length);
    } finally {
      if (second !== first) await second.close();
      await first.close();
      await database.drop();
    }
  });
});
