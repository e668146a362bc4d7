import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { type Logger, ServiceUnavailableError } from '@tessera/core';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir } from './data-dir-lock.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { classifiedClient, rethrowClassified } from './outages.ts';

// The two databases Tessera runs on (embedded PGlite, or Postgres through a `pg` pool), each behind
// the same Database shape: Prisma for the repositories, raw SQL for the migrator and tests. Longer
// than most files because both drivers' adapters live here, side by side, so they stay alike. Both
// shapes fail alike too: a database that cannot be reached rejects with
// ServiceUnavailableError('database') from Prisma and raw SQL (outages.ts), a bad statement as itself.

/** The raw SQL the migrator, tests and tools need, over PGlite or `pg` alike. */
export interface SqlConnection {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of several statements (simple query protocol, so no parameters). */
  exec(sql: string): Promise<void>;
  /** Committed when `fn` resolves, rolled back when it throws. Not nestable. */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  /** `fn` on one dedicated connection, for session state such as advisory locks. */
  session<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
}

export interface Database {
  prisma: PrismaClient;
  sql: SqlConnection;
  kind: 'pglite' | 'postgres';
  /** Resolves when the database answers; rejects with ServiceUnavailableError('database') otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A `postgresql://` URL; when unset, embedded PGlite under `<dataDir>/pglite`. */
  url?: string | undefined;
  dataDir: string;
  /** How long boot keeps retrying an unreachable Postgres (containers start in any order). */
  bootRetryMs: number;
  poolSize: number;
  log: Logger;
}

const PING_TIMEOUT_MS = 2_000;
const MAX_RETRY_DELAY_MS = 2_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPglite({ dataDir, log }: DatabaseOptions): Promise<Database> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const unlock = await lockDataDir(dir);
  const pglite = await PGlite.create(dir).catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  log.info({ dataDir: dir }, 'using embedded PGlite database');
  const prisma = openPrisma(new PrismaPGlite(pglite));
  return {
    prisma,
    sql: classifiedSql(pgliteSql(pglite)),
    kind: 'pglite',
    ping: () => guardPing(pglite.query('SELECT 1')),
    async close() {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
      await unlock();
    },
  };
}

async function openPostgres(url: string, { bootRetryMs, poolSize, log }: DatabaseOptions): Promise<Database> {
  const target = describeUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) =>
    log.warn({ err: error.message, database: target }, 'idle database connection lost'),
  );
  try {
    await waitForServer(pool, target, bootRetryMs, log);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const prisma = openPrisma(new PrismaPg(pool));
  return {
    prisma,
    sql: classifiedSql(poolSql(pool)),
    kind: 'postgres',
    ping: () => guardPing(pool.query('SELECT 1')),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

const openPrisma = (adapter: PrismaPg | PrismaPGlite) => classifiedClient(new PrismaClient({ adapter }));

async function waitForServer(pool: pg.Pool, target: string, bootRetryMs: number, log: Logger) {
  const started = Date.now();
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Wrong credentials or a missing database will not fix themselves: fail at once, clearly.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('28') || code === '3D000')) {
        throw new Error(`the database at ${target} refused the connection: ${reason}`, { cause: error });
      }
      const elapsed = Date.now() - started;
      const wait = Math.min(delay, bootRetryMs - elapsed);
      if (wait <= 0) {
        throw new Error(
          `the database at ${target} is unreachable after ${elapsed} ms (${attempt} attempts): ${reason}`,
          { cause: error },
        );
      }
      log.warn({ database: target, attempt, retryInMs: wait, err: reason }, 'database unreachable, retrying');
      await sleep(wait);
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  }
}

/** `host:port/database`, never the credentials. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

async function guardPing(query: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([query, timeout]);
  } catch (error) {
    throw new ServiceUnavailableError('database', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The raw SQL paths, failing as the Prisma ones do (the callbacks' own connections report through them). */
function classifiedSql(sql: SqlConnection): SqlConnection {
  return {
    query: <T>(text: string, params?: unknown[]) => sql.query<T>(text, params).catch(rethrowClassified),
    exec: (text) => sql.exec(text).catch(rethrowClassified),
    transaction: (fn) => sql.transaction(fn).catch(rethrowClassified),
    session: (fn) => sql.session(fn).catch(rethrowClassified),
  };
}

function pgliteSql(pglite: PGlite): SqlConnection {
  // PGlite is one connection that every caller shares. Sessions stand for dedicated connections, so
  // they take turns (as two Postgres sessions would on an advisory lock); plain queries interleave.
  let turn: Promise<unknown> = Promise.resolve();
  const self: SqlConnection = {
    ...pgliteQueries(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(pgliteQueries(tx))),
    session(fn) {
      const run = turn.then(() => fn(self));
      turn = run.catch(() => {});
      return run;
    },
  };
  return self;
}

function pgliteQueries(db: PGlite | Transaction): SqlConnection {
  const self: SqlConnection = {
    query: async (sql, params) => (await db.query<never>(sql, params)).rows,
    exec: async (sql) => void (await db.exec(sql)),
    transaction: () => Promise.reject(new Error('nested transactions are not supported')),
    session: (fn) => fn(self),
  };
  return self;
}

/** A SqlConnection over one `pg` client (or pooled client). */
function clientSql(client: pg.ClientBase, inTransaction = false): SqlConnection {
  const self: SqlConnection = {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    exec: async (sql) => void (await client.query(sql)),
    async transaction(fn) {
      if (inTransaction) throw new Error('nested transactions are not supported');
      await client.query('BEGIN');
      try {
        const result = await fn(clientSql(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    session: (fn) => fn(self),
  };
  return self;
}

function poolSql(pool: pg.Pool): SqlConnection {
  const session = async <T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(clientSql(client));
    } catch (error) {
      // A failure the server did not report (no SQLSTATE) may leave the connection in any state
      // (a held advisory lock, an open transaction): destroy it rather than return it to the pool.
      if (!(typeof (error as { code?: unknown }).code === 'string')) broken = error as Error;
      throw error;
    } finally {
      client.release(broken ?? false);
    }
  };
  return {
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    exec: async (sql) => void (await pool.query(sql)),
    transaction: (fn) => session((conn) => conn.transaction(fn)),
    session,
  };
}
