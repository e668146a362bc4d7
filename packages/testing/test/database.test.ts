import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { silentLogger } from '@tessera/core';
import { defaultMigrationsDir, migrate, openDatabase } from '@tessera/storage';
import {
  createTestDatabase,
  DROP_QUEUE_ENV,
  TEMPLATE_DATABASE_ENV,
  type TestDatabase,
  type TestDatabaseOptions,
} from '../src/database.ts';
import { startPostgresSuite } from '../src/suite-postgres.ts';

// The test databases the suite runs on: migrated ones really are (from a template or migrated on the
// spot), empty ones really are (also what packages/storage's migrator tests rely on), and on Postgres the
// runner's template and drop queue leave nothing behind.

const serverUrl = process.env.DATABASE_URL;
const postgresOnly = serverUrl ? false : 'the template database and the drop queue are Postgres only';

/** What our migrator still applies to `database` (the migration names). */
async function pending(database: TestDatabase): Promise<string[]> {
  const db = await openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    bootRetryMs: 0,
    poolSize: 1,
    log: silentLogger,
  });
  try {
    return (await migrate(db.sql, defaultMigrationsDir, silentLogger)).applied;
  } finally {
    await db.close();
  }
}

/** The databases of the DATABASE_URL server among `names`. */
async function existing(names: string[]): Promise<string[]> {
  const admin = await openDatabase({
    url: serverUrl,
    dataDir: '.',
    bootRetryMs: 0,
    poolSize: 1,
    log: silentLogger,
  });
  try {
    const rows = await admin.sql.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
      [names],
    );
    return rows.map((row) => row.datname);
  } finally {
    await admin.close();
  }
}

/** Runs `fn` with the runner's variables as `env` says (undefined: unset), restoring them after. */
async function withRunnerEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = {
    [TEMPLATE_DATABASE_ENV]: process.env[TEMPLATE_DATABASE_ENV],
    [DROP_QUEUE_ENV]: process.env[DROP_QUEUE_ENV],
  };
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set({ [TEMPLATE_DATABASE_ENV]: undefined, [DROP_QUEUE_ENV]: undefined, ...env });
  try {
    return await fn();
  } finally {
    set(saved);
  }
}

const nameOf = (database: TestDatabase) => new URL(database.url!).pathname.slice(1);

/** Every migration of the repository, by name. */
const migrations = async () =>
  (await readdir(defaultMigrationsDir))
    .filter((name) => existsSync(join(defaultMigrationsDir, name, 'migration.sql')))
    .sort();

describe('test databases', () => {
  /** A test database dropped after the test `t`. */
  const made = async (t: TestContext, options: TestDatabaseOptions) => {
    const database = await createTestDatabase(options);
    t.after(() => database.drop());
    return database;
  };

  it('asked for migrated, have every migration applied (a copy of PGlite’s template, or migrated on the spot)', async (t) => {
    const database = await withRunnerEnv({}, () => made(t, { migrated: true }));
    assert.deepEqual(await pending(database), []);
  });

  it('on Postgres, copy the runner’s template and are dropped by the runner, which leaves nothing behind', {
    skip: postgresOnly,
  }, async () => {
    const suite = await startPostgresSuite(serverUrl!);
    const template = suite.env[TEMPLATE_DATABASE_ENV]!;
    const queue = suite.env[DROP_QUEUE_ENV]!;
    let names: string[] = [];
    try {
      assert.deepEqual(await existing([template]), [template]);
      const [migrated, empty] = await withRunnerEnv(suite.env, async () => [
        await createTestDatabase({ migrated: true }),
        await createTestDatabase(),
      ]);
      names = [nameOf(migrated!), nameOf(empty!)];
      assert.deepEqual(await pending(migrated!), [], 'a copy of the migrated template');
      assert.deepEqual(await pending(empty!), await migrations(), 'not a copy');
      await withRunnerEnv(suite.env, async () => {
        await migrated!.drop();
        await empty!.drop();
      });
      assert.ok(existsSync(join(queue, names[0]!)), 'left in the queue for the runner');
    } finally {
      await suite.finish();
    }
    assert.deepEqual(await existing([template, ...names]), [], 'the databases and the template are gone');
    assert.equal(existsSync(queue), false, 'and the queue');
  });
});
