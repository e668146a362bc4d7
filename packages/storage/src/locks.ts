import type { SqlConnection } from './database.ts';
import type { Prisma } from './generated/prisma/client.ts';

/**
 * Every Postgres advisory lock Tessera takes, in one registry, so no two purposes can share an id by
 * accident. Postgres keeps two separate key spaces: one bigint (`pg_advisory_lock(id)`), and pairs of
 * int4 (`pg_advisory_lock(class, key)`), where the key here is `hashtext` of a string (a tenant, an
 * action…). Ids are unique within each space; the test in test/locks.test.ts holds them to it.
 *
 * The values are part of the deployment: during a rolling upgrade old and new processes run side by
 * side and must still exclude each other, so an id never changes once released (add a new entry
 * instead). The migrator's is Prisma's own, so `prisma migrate deploy` waits for us and we for it.
 *
 * On the embedded database (PGlite) there is one connection that every caller shares: a session lock
 * there is re-entrant and excludes nothing by itself. What keeps callers apart is
 * `SqlConnection.session`, whose sessions take turns on PGlite (database.ts), so the same
 * `withAdvisoryLock` call serialises its holders on both backends.
 */
export const LOCKS = {
  /** Applying migrations at boot. Prisma's own key (`prisma migrate deploy` takes it too). */
  migrator: { space: 'single', id: 72707369, holds: 'session' },
  /** First-run setup of an empty installation: replicas booting together create one default tenant. */
  firstRun: { space: 'single', id: 72707370, holds: 'session' },
  /**
   * Computing identifier skeletons at boot (docs/security.md#49). Until this registry it shared the
   * first run's id, so a backfill held up other processes' first run for nothing; its updates are
   * conditional on the row being unchanged, so an older process backfilling under the old id
   * alongside a newer one stays correct (only the work may be done twice).
   */
  skeletonBackfill: { space: 'single', id: 72707372, holds: 'session' },
  /** Creating a tenant's first cookie key, keyed by tenant id: one current cookie key per tenant. */
  cookieKeys: { space: 'pair', id: 72707371, holds: 'session' },
  /** Rotating a tenant's signing or cookie keys, keyed by `<tenant>:<use>`. */
  keyRotation: { space: 'pair', id: 0x5349_4b00, holds: 'transaction' },
  /**
   * Changes to one action (`<tenant>:action:<id>`) or to a tenant's bindings (`<tenant>:bindings`).
   * A transaction that needs both takes the bindings lock first: one order, no deadlock.
   */
  actions: { space: 'pair', id: 0x4143_5400, holds: 'transaction' },
} as const satisfies Record<string, AdvisoryLock>;

export interface AdvisoryLock {
  /** `single`: one bigint key; `pair`: this id as the class and `hashtext(key)` as the object. */
  readonly space: 'single' | 'pair';
  readonly id: number;
  /** `session` locks go with `withAdvisoryLock`, `transaction` ones with `lockInTransaction`. */
  readonly holds: 'session' | 'transaction';
}

type Lock<Space, Holds> = AdvisoryLock & { readonly space: Space; readonly holds: Holds };

/**
 * `fn` under a session-level advisory lock, on one dedicated connection (which `fn` receives, for
 * work that must happen on it); released when `fn` settles. A `pair` lock takes the key it guards.
 */
export function withAdvisoryLock<T>(
  sql: SqlConnection,
  lock: Lock<'single', 'session'>,
  fn: (conn: SqlConnection) => Promise<T>,
): Promise<T>;
export function withAdvisoryLock<T>(
  sql: SqlConnection,
  lock: Lock<'pair', 'session'>,
  key: string,
  fn: (conn: SqlConnection) => Promise<T>,
): Promise<T>;
export function withAdvisoryLock<T>(
  sql: SqlConnection,
  lock: AdvisoryLock,
  ...rest: [(conn: SqlConnection) => Promise<T>] | [string, (conn: SqlConnection) => Promise<T>]
): Promise<T> {
  const [key, fn] = rest.length === 1 ? [undefined, rest[0]] : rest;
  const [args, params] = key === undefined ? ['$1', [lock.id]] : ['$1::int, hashtext($2)', [lock.id, key]];
  return sql.session(async (conn) => {
    await conn.query(`SELECT pg_advisory_lock(${args})`, params);
    try {
      return await fn(conn);
    } finally {
      await conn.query(`SELECT pg_advisory_unlock(${args})`, params);
    }
  });
}

/** A transaction-level advisory lock on `key`, held until the Prisma transaction `tx` ends. */
export const lockInTransaction = (
  tx: Prisma.TransactionClient,
  lock: Lock<'pair', 'transaction'>,
  key: string,
): Promise<number> => tx.$executeRaw`SELECT pg_advisory_xact_lock(${lock.id}::int, hashtext(${key}))`;
