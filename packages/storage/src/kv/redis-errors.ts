import { type Logger, ServiceUnavailableError } from '@tessera/core';
import { UNREACHABLE_SOCKET_CODES } from '../outages.ts';

// ioredis' own messages when it refuses or abandons a command because there is no usable connection.
const unreachableMessages = [
  /^Connection is closed\.$/,
  /^Stream isn't writeable/,
  /^Command timed out$/,
  /^Command aborted due to connection close/,
  /^Reached the max retries per request limit/,
];

// Server replies that mean "not serving right now" (still loading, failing over), not a bad command.
const unavailableReplies = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN)\b/;

/** True when an ioredis failure means the store cannot be reached (as opposed to a bad command). */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && UNREACHABLE_SOCKET_CODES.has(code)) return true;
  return unreachableMessages.some((re) => re.test(error.message)) || unavailableReplies.test(error.message);
}

/** Rethrows "unreachable" as the port's ServiceUnavailableError; anything else (a bug) unchanged. */
export function toKvError(error: unknown): unknown {
  return isUnreachable(error) ? new ServiceUnavailableError('kv', { cause: error }) : error;
}

/**
 * ioredis emits 'error' on every failed reconnect attempt (several a second during an outage). One warn
 * per interval, carrying how many were suppressed, keeps a long outage visible without flooding logs.
 */
export function createOutageLog(log: Logger, intervalMs = 10_000) {
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  let down = false;
  return {
    error(err: Error) {
      down = true;
      const now = performance.now();
      if (now - lastWarnAt < intervalMs) {
        suppressed++;
        return;
      }
      log.warn({ err, suppressed }, 'kv store unreachable');
      lastWarnAt = now;
      suppressed = 0;
    },
    ready() {
      if (!down) return;
      down = false;
      log.info({ suppressed }, 'kv store reachable again');
      suppressed = 0;
    },
  };
}
