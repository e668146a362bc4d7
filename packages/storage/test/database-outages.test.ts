import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConflictError, ServiceUnavailableError, silentLogger } from '@tessera/core';
// By path, as the other tests here: @tessera/testing depends on this package, not the reverse.
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { startRelay, waitFor } from '../../testing/src/faults.ts';
import { openDatabase } from '../src/database.ts';
import { isDatabaseUnreachable } from '../src/outages.ts';
import { openStorage, type Storage } from '../src/storage.ts';

/**
 * A database that cannot be reached fails every path of the storage layer (repositories, Prisma's
 * transactions, raw SQL) as ServiceUnavailableError('database') with the driver's error as its
 * cause; a bad statement fails as itself. Postgres is cut through a TCP relay (as a network failure
 * would); the embedded database is closed under a live Storage (as at shutdown).
 */
const needsPostgres = process.env.DATABASE_URL
  ? false
  : 'needs DATABASE_URL (a real Postgres server to cut the network to)';
if (needsPostgres) {
  process.stderr.write(
    `\n*** database-outages.test.ts: the Postgres cases SKIPPED: ${needsPostgres} ***\n\n`,
  );
}

const unavailable = (error: unknown) => {
  assert.ok(error instanceof ServiceUnavailableError, `ServiceUnavailableError, got ${String(error)}`);
  assert.equal(error.dependency, 'database');
  assert.ok(error.cause instanceof Error, 'the driver error is kept as the cause');
  return true;
};

const options = { bootRetryMs: 0, masterKey: randomBytes(32), log: silentLogger };

/** Every way the storage layer reaches the database, each a call that needs it. */
function everyPath(storage: Storage): Record<string, () => Promise<unknown>> {
  const { prisma, sql } = storage.db;
  return {
    'a repository read': () => storage.tenants.getDefault(),
    'a repository write': () =>
      storage.tenants.create({ name: `t-${randomBytes(4).toString('hex')}`, domains: [] }),
    'an interactive transaction': () => prisma.$transaction(async (tx) => tx.tenant.findMany()),
    'a batch transaction': () => prisma.$transaction([prisma.tenant.count(), prisma.tenant.findMany()]),
    'a raw query': () => sql.query('SELECT 1'),
    'a raw script': () => sql.exec('SELECT 1; SELECT 2'),
    'a raw transaction': () => sql.transaction((tx) => tx.query('SELECT 1')),
    'a raw session': () => sql.session((conn) => conn.query('SELECT 1')),
  };
}

describe('Postgres cut off by the network', { skip: needsPostgres }, () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let storage: Storage;
  let admin: Awaited<ReturnType<typeof openDatabase>>;

  before(async () => {
    database = await createTestDatabase();
    relay = await startRelay(new URL(database.url!));
    storage = await openStorage({ ...options, url: relay.url, dataDir: database.dataDir, poolSize: 2 });
    // A connection of the test's own, straight to the server (not through the relay).
    admin = await openDatabase({ ...options, url: database.url, dataDir: database.dataDir, poolSize: 1 });
  });
  after(async () => {
    await relay?.restore();
    await storage?.close();
    await admin?.close();
    await relay?.cut();
    await database?.drop();
  });

  it('fails every path as ServiceUnavailableError while cut, and every path works once it returns', async () => {
    await relay.cut();
    for (const [path, call] of Object.entries(everyPath(storage))) {
      await assert.rejects(call(), unavailable, path);
    }
    await relay.restore();
    for (const [path, call] of Object.entries(everyPath(storage))) await assert.doesNotReject(call(), path);
  });

  it('fails a statement whose connection is lost while it runs', async () => {
    // assert.rejects awaits at once: a Prisma query runs only when awaited.
    const failing = [
      assert.rejects(storage.db.prisma.$queryRawUnsafe('SELECT pg_sleep(5)'), unavailable, 'Prisma'),
      assert.rejects(storage.db.sql.query('SELECT pg_sleep(5)'), unavailable, 'raw SQL'),
    ];
    await waitFor(async () => (await sleepers(admin, 'pg_sleep(5)')) === 2, 'both statements to run');
    await relay.cut();
    await Promise.all(failing);
    await relay.restore();
  });

  it('fails a statement whose connection the server ends (57P01, an administrator or a failover)', async () => {
    const failing = [
      assert.rejects(storage.db.prisma.$queryRawUnsafe('SELECT pg_sleep(6)'), unavailable, 'Prisma'),
      assert.rejects(storage.db.sql.query('SELECT pg_sleep(6)'), unavailable, 'raw SQL'),
    ];
    await waitFor(async () => (await sleepers(admin, 'pg_sleep(6)')) === 2, 'both statements to run');
    await admin.sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE '%pg_sleep(6)%' AND pid <> pg_backend_pid()`,
    );
    await Promise.all(failing);
    await storage.tenants.getDefault();
  });

  it('fails a statement that gets no connection from an exhausted pool', async () => {
    const { promise: held, resolve: release } = Promise.withResolvers<void>();
    const holders = [0, 1].map(() => storage.db.sql.session(() => held));
    try {
      // Prisma gives up on a transaction after its maxWait (2 s), the pool on a query after 5 s.
      await Promise.all([
        assert.rejects(storage.tenants.getDefault(), unavailable, 'a query'),
        assert.rejects(
          storage.db.prisma.$transaction(async (tx) => tx.tenant.findMany()),
          unavailable,
          'a transaction',
        ),
        assert.rejects(storage.db.sql.query('SELECT 1'), unavailable, 'raw SQL'),
      ]);
    } finally {
      release();
      await Promise.all(holders);
    }
    await storage.tenants.getDefault();
  });

  it('leaves a bad statement or a conflict as it is', async () => {
    await assert.rejects(storage.db.prisma.$queryRawUnsafe('SELECT 1/0'), notUnavailable(/division by zero/));
    await assert.rejects(storage.db.sql.query('SELECT 1/0'), notUnavailable(/division by zero/));
    await assert.rejects(storage.db.sql.query('SELEKT 1'), notUnavailable(/syntax error/));
    await storage.tenants.create({ name: 'twice', domains: [] });
    await assert.rejects(storage.tenants.create({ name: 'twice', domains: [] }), ConflictError);
  });
});

describe('the embedded database, closed under a live Storage', () => {
  let dataDir: string;
  let storage: Storage;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-outage-'));
    storage = await openStorage({ ...options, url: undefined, dataDir, poolSize: 1 });
  });
  after(async () => {
    await storage.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves a bad statement as it is while open', async () => {
    await assert.rejects(storage.db.prisma.$queryRawUnsafe('SELECT 1/0'), notUnavailable(/division by zero/));
    await assert.rejects(storage.db.sql.query('SELECT 1/0'), notUnavailable(/division by zero/));
  });

  it('fails every path as ServiceUnavailableError once closed', async () => {
    await storage.close();
    for (const [path, call] of Object.entries(everyPath(storage))) {
      await assert.rejects(call(), unavailable, path);
    }
  });
});

describe('isDatabaseUnreachable, on the shapes the drivers report', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  const adapterError = (cause: Record<string, unknown>) =>
    Object.assign(new Error(String(cause.kind)), { name: 'DriverAdapterError', cause });

  it('knows an outage from a failed statement', () => {
    const outages = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      withCode('connection failure', '08006'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode("Can't reach database server", 'P1001'),
      withCode('Server has closed the connection.', 'P1017'),
      withCode('Timed out fetching a new connection from the connection pool.', 'P2024'),
      withCode('Transaction API error: Unable to start a transaction in the given time.', 'P2028'),
      adapterError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
      adapterError({ kind: 'ConnectionClosed' }),
      adapterError({ kind: 'postgres', code: '57P01' }),
      Object.assign(withCode('Raw query failed. Code: `57P01`.', 'P2010'), {
        meta: { driverAdapterError: adapterError({ kind: 'postgres', code: '57P01' }) },
      }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('PGlite is closed'),
    ];
    for (const error of outages) assert.equal(isDatabaseUnreachable(error), true, error.message);
    const statements = [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "SELEKT"', '42601'),
      withCode('database "gone" does not exist', '57P04'),
      withCode('Unique constraint failed', 'P2002'),
      withCode('Transaction already closed: the timeout for this transaction was 5000 ms', 'P2028'),
      adapterError({ kind: 'UniqueConstraintViolation' }),
      adapterError({ kind: 'postgres', code: '22012' }),
      Object.assign(withCode('Raw query failed. Code: `22012`.', 'P2010'), {
        meta: { driverAdapterError: adapterError({ kind: 'postgres', code: '22012' }) },
      }),
      'ECONNREFUSED',
    ];
    for (const error of statements) assert.equal(isDatabaseUnreachable(error), false, String(error));
  });
});

const notUnavailable = (message: RegExp) => (error: unknown) => {
  assert.ok(!(error instanceof ServiceUnavailableError), `left as it was, got ${String(error)}`);
  assert.match(String((error as Error).message), message);
  return true;
};

/** How many statements containing `text` run on the server right now. */
async function sleepers(admin: Awaited<ReturnType<typeof openDatabase>>, text: string): Promise<number> {
  const [row] = await admin.sql.query<{ running: number }>(
    `SELECT count(*)::int AS running FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()`,
    [`%${text}%`],
  );
  return row?.running ?? 0;
}
