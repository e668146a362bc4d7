// The sandbox's URL class (stdlib.js) has no parser of its own: through this synchronous isolated-vm
// callback it asks the host to run Node's WHATWG URL parser, so tenant code sees exactly Node's URLs.
// Only strings cross the boundary and the answer is a JSON string. It never throws: a host exception
// would surface inside the sandbox carrying host details, and a parse failure is an ordinary answer.

// Longer input is refused, to bound the work a tenant can make the host thread do per call.
export const MAX_URL_INPUT_LENGTH = 8 * 1024;

const INVALID = JSON.stringify({ ok: false, message: 'Invalid URL' });

export function parseUrlForSandbox(input: string, base: string | undefined): string {
  if (typeof input !== 'string' || input.length > MAX_URL_INPUT_LENGTH) return INVALID;
  if (base != null && (typeof base !== 'string' || base.length > MAX_URL_INPUT_LENGTH)) return INVALID;
  try {
    const url = URL.parse(input, base ?? undefined);
    if (url === null) return INVALID;
    return JSON.stringify({
      ok: true,
      href: url.href,
      origin: url.origin,
      protocol: url.protocol,
      username: url.username,
      password: url.password,
      host: url.host,
      hostname: url.hostname,
      port: url.port,
      pathname: url.pathname,
      search: url.search,
      hash: url.hash,
    });
  } catch {
    return INVALID;
  }
}
