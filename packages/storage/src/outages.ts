import { ServiceUnavailableError } from '@tessera/core';
import type { PrismaClient } from './generated/prisma/client.ts';

/**
 * What an outage of a backing store looks like, in one place: a failure that means "cannot reach the
 * server / the connection was lost / no connection to be had" becomes ServiceUnavailableError (a 503
 * that is worth retrying); anything else (a constraint, a syntax error, a bug) is left as it was.
 * Classification runs only on the error path: a query that succeeds pays one promise more.
 */

/** Socket-level failures: the server is gone, refusing, or unreachable on the network. */
export const UNREACHABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// SQLSTATEs of a server that cannot serve this connection (PostgreSQL, Appendix A): class 08
// (connection exception), 57P01/02/03/05 (administrator or crash shutdown, cannot connect now, idle
// session ended) and 53300 (too many connections). 57P04 (database dropped) will not fix itself.
const UNAVAILABLE_SQLSTATE = /^(?:08[0-9A-Z]{3}|57P0[1235]|53300)$/;

// Prisma's codes for the same (prisma.io/docs/orm/reference/error-reference): P1001 cannot reach,
// P1002 reached but timed out, P1008 socket timeout, P1017 connection closed, P2024 pool timeout,
// P2037 too many connections. P2028 only when no connection came in time (pool exhausted); its
// other cases (a transaction that ran too long) are our own.
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const NO_CONNECTION_IN_TIME = /Unable to start a transaction in the given time/;

// What the drivers say when they have no usable connection and give no code: `pg` (a connection
// lost mid-query, a pool that could not connect in time, a client or pool already closed) and PGlite.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Query read timeout$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^PGlite is closed$/,
];

// Prisma's driver adapters report these kinds (@prisma/driver-adapter-utils MappedError).
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/** True when a database failure means it cannot be reached now, as opposed to a bad statement. */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNREACHABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (UNAVAILABLE_PRISMA_CODES.has(code)) return true;
    if (code === 'P2028' && NO_CONNECTION_IN_TIME.test(error.message)) return true;
  }
  // A connection attempt to several addresses (localhost: ::1 and 127.0.0.1) fails as one AggregateError.
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnreachable)) return true;
  if (error.name === 'DriverAdapterError') return isUnavailableKind(error.cause);
  // Prisma's own error around a driver adapter's (a raw query's P2010 keeps the SQLSTATE only there).
  const wrapped = (error as { meta?: { driverAdapterError?: { cause?: unknown } } }).meta?.driverAdapterError;
  if (wrapped !== undefined) return isUnavailableKind(wrapped.cause);
  return UNAVAILABLE_MESSAGES.some((re) => re.test(error.message));
}

function isUnavailableKind(mapped: unknown): boolean {
  const { kind, code } = (mapped ?? {}) as { kind?: unknown; code?: unknown };
  if (typeof kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(kind)) return true;
  return kind === 'postgres' && typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code);
}

/** "Unreachable" as ServiceUnavailableError('database'); anything else (a bug, or already classified) unchanged. */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof ServiceUnavailableError || !isDatabaseUnreachable(error)) return error;
  return new ServiceUnavailableError('database', { cause: error });
}

/** For `.catch`: rethrows what `toDatabaseError` makes of the failure. */
export const rethrowClassified = (error: unknown): never => {
  throw toDatabaseError(error);
};

/**
 * The client every repository uses, with its failures classified: a query extension on every
 * operation (model queries and raw ones, inside transactions too), and `$transaction` itself, which
 * fails above the operations (no connection to begin with within its `maxWait`, a lost commit).
 * Prisma's own extension mechanism rather than a wrapper of the driver adapter: Prisma rewraps any
 * adapter error that carries a `code` into its own error class, ServiceUnavailableError included.
 */
export function classifiedClient(prisma: PrismaClient): PrismaClient {
  const classified = prisma.$extends({
    name: 'classified-outages',
    query: { $allOperations: ({ args, query }) => query(args).catch(rethrowClassified) },
  }) as unknown as PrismaClient;
  const transaction = classified.$transaction.bind(classified) as (...args: unknown[]) => Promise<unknown>;
  const classifiedTransaction = (...args: unknown[]) => transaction(...args).catch(rethrowClassified);
  return new Proxy(classified, {
    get: (client, key) => (key === '$transaction' ? classifiedTransaction : Reflect.get(client, key)),
  });
}
