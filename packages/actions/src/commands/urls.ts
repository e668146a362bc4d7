import { quote, typeName, utf8Bytes } from './checks.ts';
import { MAX_URL_BYTES } from './limits.ts';

export type UrlResult = { ok: true; url: URL } | { ok: false; message: string };

/** Hosts where a browser redirect over plain http: cannot be intercepted on the network. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Parses an absolute URL and refuses what must never reach a Location header or a stored method
 * name: non-strings, floods, relative URLs (the WHATWG parser needs no base to accept an absolute
 * one), and `user:password@` credentials, which would leak into logs and browser history.
 */
export function parseAbsoluteUrl(value: unknown, where: string): UrlResult {
  if (typeof value !== 'string')
    return { ok: false, message: `${where} must be a string (got ${typeName(value)})` };
  const bytes = utf8Bytes(value);
  if (bytes > MAX_URL_BYTES) {
    return { ok: false, message: `${where} is ${bytes} bytes; the limit is ${MAX_URL_BYTES} bytes` };
  }
  const url = URL.parse(value);
  if (url === null) return { ok: false, message: `${where} must be an absolute URL (got ${quote(value)})` };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: `${where} must not contain credentials (user:password@)` };
  }
  return { ok: true, url };
}

/**
 * Where a browser may be sent (docs/security.md#21): https:, or http: on loopback for local development
 * (on any host when the tenant allows it). `javascript:` and `data:` would run in the login page's
 * origin; other schemes launch apps.
 */
export function redirectUrl(value: unknown, where: string, allowHttp = false): UrlResult {
  const parsed = parseAbsoluteUrl(value, where);
  if (!parsed.ok) return parsed;
  const { protocol, hostname } = parsed.url;
  if (protocol === 'https:' || (protocol === 'http:' && (allowHttp || LOOPBACK_HOSTS.has(hostname))))
    return parsed;
  if (protocol === 'http:') {
    return {
      ok: false,
      message: `${where} must use https: (http: is allowed only for localhost, 127.0.0.1 and [::1])`,
    };
  }
  return { ok: false, message: `${where} must be an https: URL (got a ${quote(protocol)} URL)` };
}

/** An http: or https: URL of any host: an identifier (recordMethod) or a SAML endpoint. */
export function httpUrl(value: unknown, where: string): UrlResult {
  const parsed = parseAbsoluteUrl(value, where);
  if (!parsed.ok) return parsed;
  const { protocol } = parsed.url;
  if (protocol === 'https:' || protocol === 'http:') return parsed;
  return { ok: false, message: `${where} must be an http: or https: URL (got a ${quote(protocol)} URL)` };
}
