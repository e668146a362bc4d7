import { createHash, createHmac, getHashes, randomBytes } from 'node:crypto';
import ivm from 'isolated-vm';
import type { CacheView } from '../cache/cache-view.ts';
import type { CommandRecorder } from '../commands/recorder.ts';
import { encodeSessionToken, validateSessionToken } from '../commands/session-token.ts';
import { EgressError, egressFetch } from '../egress/fetch.ts';
import type { EgressPolicy } from '../egress/policy.ts';
import type { LogLevel } from '../result.ts';
import { parseUrlForSandbox } from '../sandbox/host-url.ts';
import type { LogSink } from './log-sink.ts';
import type { PendingOps } from './pending-ops.ts';

/** What the host side of one action execution needs. */
export interface ExecutionHost {
  actionName: string;
  recorder: CommandRecorder;
  logs: LogSink;
  cache: CacheView;
  /** Inputs of api.redirect.encodeToken / validateToken. */
  token: {
    hostname: string;
    userId: string;
    ip: string;
    state: string | undefined;
    query: Record<string, unknown>;
    body: Record<string, unknown>;
  };
  egress: EgressPolicy;
  /** Called before the run's first external side effect (a fetch). */
  onEffect(): void;
}

const LEVELS = new Set<LogLevel>(['log', 'info', 'warn', 'error', 'debug']);
const HASHES = new Set(getHashes());
const MAX_RANDOM = 65_536;
/** Bytes one createHash/createHmac digest may cover: the hashing runs on the worker's main thread. */
export const MAX_DIGEST_BYTES = 1024 * 1024;
export const FETCH_LIMITS = { inFlight: 10, perExecution: 50 } as const;
const MAX_HOST_JSON = 64 * 1024;
const MAX_FETCH_JSON = 2 * 1024 * 1024;

function parseBounded(json: unknown, max: number): unknown {
  if (typeof json !== 'string' || json.length > max) throw new RangeError('argument too large');
  return JSON.parse(json);
}

function bytes(value: unknown): Uint8Array {
  if (!(value instanceof ArrayBuffer)) throw new TypeError('expected bytes');
  if (value.byteLength > MAX_DIGEST_BYTES) {
    throw new RangeError(`a digest may cover at most ${MAX_DIGEST_BYTES} bytes in an action`);
  }
  return new Uint8Array(value);
}

const toArrayBuffer = (buffer: Buffer) =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);

/**
 * The host callbacks of one execution, in the order of HOST_CALLBACKS (sandbox/source.ts). Every one
 * treats its arguments as hostile: types checked, sizes bounded, JSON parsed only after a length check.
 * `settle` delivers the end of an asynchronous operation back into the isolate.
 */
export function createCallbacks(
  host: ExecutionHost,
  pending: PendingOps,
  settle: (id: number, ok: boolean, json: string) => void,
): ivm.Callback[] {
  const jsonResult = (fn: () => unknown) => {
    try {
      return JSON.stringify({ ok: true, value: fn() });
    } catch (error) {
      return JSON.stringify({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };
  const record = (method: unknown, argsJson: unknown, mask: unknown) => {
    if (typeof method !== 'string' || typeof argsJson !== 'string' || typeof mask !== 'number')
      return 'invalid api call';
    const result = host.recorder.record(method, argsJson, mask);
    if (!result.ok) {
      if (result.limit) host.logs.warn(host.actionName, result.message);
      return result.message;
    }
    if (result.warning !== undefined) host.logs.warn(host.actionName, result.warning);
    return '';
  };
  const log = (level: unknown, message: unknown) =>
    host.logs.add(
      host.actionName,
      LEVELS.has(level as LogLevel) ? (level as LogLevel) : 'log',
      String(message),
    );
  const urlParse = (input: unknown, base: unknown) =>
    parseUrlForSandbox(String(input), base === undefined || base === null ? undefined : String(base));
  const random = (size: unknown) => {
    const n = Number(size);
    if (!Number.isInteger(n) || n < 0 || n > MAX_RANDOM) throw new RangeError('random size out of range');
    return toArrayBuffer(randomBytes(n));
  };
  const digest = (algorithm: unknown, data: unknown) => {
    if (typeof algorithm !== 'string' || !HASHES.has(algorithm.toLowerCase()))
      throw new Error('Digest method not supported');
    return toArrayBuffer(createHash(algorithm).update(bytes(data)).digest());
  };
  const hmac = (algorithm: unknown, key: unknown, data: unknown) => {
    if (typeof algorithm !== 'string' || !HASHES.has(algorithm.toLowerCase()))
      throw new Error(`Invalid digest: ${String(algorithm)}`);
    return toArrayBuffer(createHmac(algorithm, bytes(key)).update(bytes(data)).digest());
  };
  const encodeToken = (json: unknown) =>
    jsonResult(() => encodeSessionToken((parseBounded(json, MAX_HOST_JSON) as unknown[])[0], host.token));
  const validateToken = (json: unknown) =>
    jsonResult(() => validateSessionToken((parseBounded(json, MAX_HOST_JSON) as unknown[])[0], host.token));
  const cache = (op: unknown, json: unknown) => {
    const args = parseBounded(json, MAX_HOST_JSON) as unknown[];
    if (op === 'get') return JSON.stringify(host.cache.get(args[0]));
    if (op === 'set') return JSON.stringify(host.cache.set(args[0], args[1], args[2]));
    if (op === 'delete') return JSON.stringify(host.cache.delete(args[0]));
    throw new Error('unknown cache operation');
  };
  const startAsync = (kind: unknown, id: unknown, payload: unknown) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || pending.closed) return;
    if (kind === 'sleep') {
      const ms = Math.min(Math.max(0, Number(payload) || 0), 2_147_483_647);
      pending.timer(id, ms, () => settle(id, true, ''));
    } else if (kind === 'fetch') {
      startFetch(host, pending, settle, id, payload);
    } else if (kind === 'abort') {
      pending.abort(id);
    }
  };
  return [
    new ivm.Callback(withoutHostStack(record)),
    new ivm.Callback(withoutHostStack(log)),
    new ivm.Callback(withoutHostStack(urlParse)),
    new ivm.Callback(withoutHostStack(random)),
    new ivm.Callback(withoutHostStack(digest)),
    new ivm.Callback(withoutHostStack(hmac)),
    new ivm.Callback(withoutHostStack(encodeToken)),
    new ivm.Callback(withoutHostStack(validateToken)),
    new ivm.Callback(startAsync, { ignored: true }),
    new ivm.Callback(withoutHostStack(cache)),
  ];
}

/**
 * isolated-vm hands a callback's exception to the isolate with its host stack, which names the
 * server's source files and lines (`at digest (file:///…/host-bridge.ts:95:13)`). Only the error's
 * type and message may cross (docs/security.md#5: nothing of the host is visible to tenant code).
 */
function withoutHostStack<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const copy =
        error instanceof RangeError
          ? new RangeError(message)
          : error instanceof TypeError
            ? new TypeError(message)
            : new Error(message);
      copy.stack = `${copy.name}: ${copy.message}`;
      throw copy;
    }
  };
}

function startFetch(
  host: ExecutionHost,
  pending: PendingOps,
  settle: (id: number, ok: boolean, json: string) => void,
  id: number,
  payload: unknown,
): void {
  const fail = (message: string) => settle(id, false, JSON.stringify({ name: 'TypeError', message }));
  let request: {
    url: string;
    method: string;
    headers: Array<[string, string]>;
    body?: Uint8Array;
    redirect: 'follow' | 'manual' | 'error';
  };
  try {
    const raw = parseBounded(payload, MAX_FETCH_JSON) as Record<string, unknown>;
    const headers = Array.isArray(raw.headers) ? raw.headers : [];
    if (
      headers.length > 100 ||
      !headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((v) => typeof v === 'string'))
    ) {
      throw new TypeError('invalid headers');
    }
    const redirect = raw.redirect === 'manual' || raw.redirect === 'error' ? raw.redirect : 'follow';
    if (typeof raw.url !== 'string' || typeof raw.method !== 'string' || !/^[A-Z]{1,16}$/.test(raw.method)) {
      throw new TypeError('invalid request');
    }
    request = { url: raw.url, method: raw.method, headers: headers as Array<[string, string]>, redirect };
    if (typeof raw.body === 'string') request.body = Buffer.from(raw.body, 'base64');
  } catch (error) {
    fail(`fetch failed: ${error instanceof Error ? error.message : 'invalid request'}`);
    return;
  }
  // Each fetch may buffer megabytes and holds a socket: one action cannot exhaust its worker's memory or
  // file descriptors at the expense of every other tenant on it.
  if (pending.fetchesInFlight >= FETCH_LIMITS.inFlight) {
    fail(`fetch failed: at most ${FETCH_LIMITS.inFlight} requests may be in flight at once in an action`);
    return;
  }
  if (pending.fetchesStarted >= FETCH_LIMITS.perExecution) {
    fail(`fetch failed: an action may make at most ${FETCH_LIMITS.perExecution} requests`);
    return;
  }
  host.onEffect();
  const signal = pending.fetch(id);
  egressFetch(request, host.egress, signal).then(
    (response) => {
      pending.done(id);
      settle(
        id,
        true,
        JSON.stringify({
          url: response.url,
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
          redirected: response.redirected,
          body: Buffer.from(response.body).toString('base64'),
        }),
      );
    },
    (error: unknown) => {
      pending.done(id);
      fail(`fetch failed: ${error instanceof EgressError ? error.message : 'network error'}`);
    },
  );
}
