import { EgressError } from './errors.ts';

interface AllowEntry {
  hostname: string;
  /** Undefined: any port. */
  port: string | undefined;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * True when the tenant explicitly allowed this URL's host (and port), which lifts the address check.
 * Entries are normalised by the WHATWG URL parser, exactly like the URL they are compared with, so
 * `LOCALHOST`, `0x7f000001` or `[0:0::1]` in the allowlist mean what they look like.
 */
export function isAllowlisted(url: URL, allowHosts: readonly string[]): boolean {
  const hostname = trimDot(url.hostname);
  const port = url.port || DEFAULT_PORTS[url.protocol];
  // Parse every entry first, so a malformed one is reported whatever URL is being fetched.
  const entries = allowHosts.map(parseAllowEntry);
  return entries.some(
    (entry) => entry.hostname === hostname && (entry.port === undefined || entry.port === port),
  );
}

function parseAllowEntry(raw: string): AllowEntry {
  let text = raw.trim();
  // A bare IPv6 literal (`::1`) cannot carry a port; bracket it so `:` is not read as a port separator.
  if (!text.startsWith('[') && text.indexOf(':') !== text.lastIndexOf(':')) text = `[${text}]`;
  const match = /^(\[[^\]]+\]|[^:[\]/?#@\\]+)(?::(\d{1,5}))?$/.exec(text);
  const url = match ? URL.parse(`http://${match[1]}/`) : null;
  const port = match?.[2] === undefined ? undefined : String(Number(match[2]));
  if (!match || !url || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new EgressError('invalid', `egress allowlist entry "${raw}" is not a host or host:port`);
  }
  return { hostname: trimDot(url.hostname), port };
}

// `localhost.` and `localhost` name the same host; comparing them as different would only confuse.
function trimDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}
