import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { type Database, openDatabase, type SqlConnection } from '../src/database.ts';
import { type AdvisoryLock, LOCKS, lockInTransaction, withAdvisoryLock } from '../src/locks.ts';

describe('the advisory lock registry', () => {
  it('gives every purpose its own id within its key space, each in range', () => {
    for (const space of ['single', 'pair'] as const) {
      const entries = Object.entries(LOCKS as Record<string, AdvisoryLock>).filter(
        ([, lock]) => lock.space === space,
      );
      const byId = new Map<number, string>();
      for (const [name, lock] of entries) {
        assert.equal(
          byId.get(lock.id),
          undefined,
          `${name} and ${byId.get(lock.id)} share ${space} id ${lock.id}`,
        );
        byId.set(lock.id, name);
        assert.ok(Number.isSafeInteger(lock.id) && lock.id > 0, `${name}: a positive integer`);
        if (space === 'pair') assert.ok(lock.id <= 0x7fff_ffff, `${name}: a pair's class is an int4`);
      }
    }
  });

  it('keeps the ids released processes take, so old and new processes exclude each other during an upgrade', () => {
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(LOCKS).map(([name, lock]) => [name, [lock.space, lock.id, lock.holds]]),
      ),
      {
        migrator: ['single', 72707369, 'session'],
        firstRun: ['single', 72707370, 'session'],
        skeletonBackfill: ['single', 72707372, 'session'],
        cookieKeys: ['pair', 72707371, 'session'],
        keyRotation: ['pair', 0x5349_4b00, 'transaction'],
        actions: ['pair', 0x4143_5400, 'transaction'],
      },
    );
  });
});

describe('withAdvisoryLock', () => {
  let database: TestDatabase;
  let db: Database;
  before(async () => {
    database = await createTestDatabase();
    db = await openDatabase({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 4,
      log: silentLogger,
    });
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  /** This database's granted (or awaited) advisory locks of one id, as Postgres lists them. */
  const held = (sql: SqlConnection, lock: AdvisoryLock, key?: string, granted = true) =>
    sql.query(
      `SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted = $1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ${
            key === undefined
              ? 'classid = 0 AND objid = $2::int::oid AND objsubid = 1'
              : 'classid = $2::int::oid AND objid = hashtext($3)::oid AND objsubid = 2'
          }`,
      key === undefined ? [granted, lock.id] : [granted, lock.id, key],
    );

  it('holds a single-id lock while fn runs, hands fn its connection, and releases it after', async () => {
    const result = await withAdvisoryLock(db.sql, LOCKS.firstRun, async (conn) => {
      assert.equal((await held(conn, LOCKS.firstRun)).length, 1);
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal((await held(db.sql, LOCKS.firstRun)).length, 0);
  });

  it('holds a pair lock under its class and the hashed key, and releases it when fn throws', async () => {
    await assert.rejects(
      withAdvisoryLock(db.sql, LOCKS.cookieKeys, 'tenant-a', async (conn) => {
        assert.equal((await held(conn, LOCKS.cookieKeys, 'tenant-a')).length, 1);
        assert.equal((await held(conn, LOCKS.cookieKeys, 'tenant-b')).length, 0);
        throw new Error('setup failed');
      }),
      { message: 'setup failed' },
    );
    assert.equal((await held(db.sql, LOCKS.cookieKeys, 'tenant-a')).length, 0);
  });

  it('makes a second holder of the same lock wait until the first has released it', async () => {
    const events: string[] = [];
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: firstIn, resolve: entered } = Promise.withResolvers<void>();
    const first = withAdvisoryLock(db.sql, LOCKS.firstRun, async () => {
      events.push('first in');
      entered();
      await gate;
      events.push('first out');
    });
    await firstIn;
    const second = withAdvisoryLock(db.sql, LOCKS.firstRun, async () => {
      events.push('second in');
    });
    if (db.kind === 'postgres') {
      // The second session is queued inside Postgres: wait for that, then let the first go. (Had it
      // not waited, it is already in, and the order below says so.)
      while (
        !events.includes('second in') &&
        (await held(db.sql, LOCKS.firstRun, undefined, false)).length === 0
      ) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      // PGlite is one connection, where an advisory lock is re-entrant and excludes no one: the
      // sessions themselves take turns (database.ts), so the second has not even asked yet.
      const [again] = await db.sql.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [
        LOCKS.firstRun.id,
      ]);
      assert.equal(again?.got, true, 'on PGlite the lock itself excludes no one');
      await db.sql.query('SELECT pg_advisory_unlock($1)', [LOCKS.firstRun.id]);
    }
    release();
    await Promise.all([first, second]);
    assert.deepEqual(events, ['first in', 'first out', 'second in']);
  });

  it('lets holders of different keys of one pair lock run at once (Postgres)', {
    skip: process.env.DATABASE_URL ? false : 'PGlite sessions take turns whatever the lock',
  }, async () => {
    const { promise: gate, resolve: release } = Promise.withResolvers<void>();
    const { promise: firstIn, resolve: entered } = Promise.withResolvers<void>();
    const first = withAdvisoryLock(db.sql, LOCKS.cookieKeys, 'tenant-a', async () => {
      entered();
      await gate;
    });
    await firstIn;
    // Completes while tenant-a's holder still waits for the gate.
    assert.equal(await withAdvisoryLock(db.sql, LOCKS.cookieKeys, 'tenant-b', async () => 'b'), 'b');
    release();
    await first;
  });

  it('holds a transaction lock until the Prisma transaction ends', async () => {
    await db.prisma.$transaction(async (tx) => {
      await lockInTransaction(tx, LOCKS.actions, 'tenant-a:bindings');
      const [row] = await tx.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND classid = ${LOCKS.actions.id}::int::oid
           AND objid = hashtext(${'tenant-a:bindings'})::oid AND objsubid = 2`;
      assert.equal(Number(row?.n), 1);
    });
    assert.equal((await held(db.sql, LOCKS.actions, 'tenant-a:bindings')).length, 0);
  });
});
