import { EgressError } from './errors.ts';
import type { EgressPolicy } from './policy.ts';

/** One request on the wire; a redirect produces the next hop from the previous one. */
export interface Hop {
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | undefined;
}

export interface RequestInit {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
// CONNECT turns the connection into a tunnel to any host:port; TRACE echoes credentials (XST).
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
/**
 * Framing and routing are the host's job: a tenant-set `content-length` or `transfer-encoding` could
 * desync (smuggle requests through) an allowlisted proxy, and `host` could reach another virtual host
 * than the one checked. Dropped silently, as browsers do for these forbidden request headers.
 */
const DROPPED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** Validates the tenant's request before anything touches the network. */
export function prepareRequest(init: RequestInit, policy: EgressPolicy): Hop {
  const url = URL.parse(init.url);
  if (!url) throw new EgressError('invalid', 'fetch refused: the URL is not valid');
  checkUrl(url);
  const method = normaliseMethod(init.method, url);
  const headers = normaliseHeaders(init.headers, url);
  const body = init.body;
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new EgressError('invalid', `fetch to ${url.host} refused: a ${method} request cannot have a body`);
  }
  if (body !== undefined && body.byteLength > policy.maxRequestBytes) {
    throw new EgressError(
      'too_large',
      `fetch to ${url.host} refused: request body of ${body.byteLength} bytes exceeds the limit of ${policy.maxRequestBytes}`,
    );
  }
  return { url, method, headers, body };
}

/** Applied to the first URL and to every redirect target. */
export function checkUrl(url: URL): void {
  // file:, data:, ftp:, gopher: … would bypass the address checks or reach non-HTTP services.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressError(
      'invalid',
      `fetch to ${url.host || url.protocol} refused: only http: and https: URLs are allowed, not ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new EgressError(
      'invalid',
      `fetch to ${url.host} refused: the URL contains credentials (send an authorization header instead)`,
    );
  }
}

function normaliseMethod(method: string, url: URL): string {
  if (!TOKEN.test(method)) throw new EgressError('invalid', `fetch to ${url.host} refused: invalid method`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) {
    throw new EgressError('invalid', `fetch to ${url.host} refused: method ${upper} is not allowed`);
  }
  // Same normalisation as WHATWG fetch: only these methods are case-insensitive.
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

function normaliseHeaders(headers: Array<[string, string]>, url: URL): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, rawValue] of headers) {
    // CR/LF would let the tenant inject headers or a second request (response splitting, smuggling).
    const value = rawValue.replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) {
      throw new EgressError(
        'invalid',
        `fetch to ${url.host} refused: invalid header name or value (headers cannot contain CR, LF or NUL)`,
      );
    }
    if (!DROPPED_HEADERS.has(name.toLowerCase())) out.push([name, value]);
  }
  const has = (wanted: string) => out.some(([name]) => name.toLowerCase() === wanted);
  if (!has('user-agent')) out.push(['user-agent', 'Tessera-Actions']);
  // Only encodings readBody can decode, so the size cap always applies to the decoded body.
  if (!has('accept-encoding')) out.push(['accept-encoding', 'gzip, deflate, br']);
  return out;
}
