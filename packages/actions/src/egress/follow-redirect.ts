import { EgressError } from './errors.ts';
import { checkUrl, type Hop } from './prepare-request.ts';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Credentials meant for one origin must not be replayed to another (WHATWG fetch, HTTP-redirect fetch step 13). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Headers describing a body that is no longer sent (fetch step 12). */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/** The URL a response redirects to, or undefined when it is not a redirect to follow. */
export function redirectLocation(status: number, location: string | undefined, from: URL): URL | undefined {
  if (!REDIRECT_STATUSES.has(status) || location === undefined) return undefined;
  const target = URL.parse(location, from.href);
  if (!target) {
    throw new EgressError(
      'network',
      `fetch to ${from.host} failed: the redirect location is not a valid URL`,
    );
  }
  return target;
}

/**
 * The next hop of a followed redirect, per WHATWG fetch "HTTP-redirect fetch". The caller runs the full
 * policy (address checks included) on it again: a public URL redirecting to 169.254.169.254 is the
 * classic way around an SSRF filter that only checks the first URL.
 */
export function nextHop(hop: Hop, status: number, target: URL): Hop {
  checkUrl(target);
  let { method, body, headers } = hop;
  // 303 always, and 301/302 for POST, become a GET without body (fetch step 12, matching browsers).
  if (
    (status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST')
  ) {
    method = 'GET';
    body = undefined;
    headers = headers.filter(([name]) => !BODY_HEADERS.has(name.toLowerCase()));
  }
  if (target.origin !== hop.url.origin) {
    headers = headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase()));
  }
  return { url: target, method, headers, body };
}
