import type { LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Hop } from './prepare-request.ts';
import type { PinnedAddress } from './resolve-target.ts';

/**
 * Sends one hop to the addresses resolve-target.ts checked, and resolves with the response head; the body
 * is left unread for read-body.ts. `agent: false` gives every request its own connection: no keep-alive
 * socket is shared between tenants, and no proxy from the environment is used.
 */
export function send(
  hop: Hop,
  addresses: readonly PinnedAddress[],
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const { url } = hop;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const tls = url.protocol === 'https:';
  // Node adds no Host header when headers come as a list (kept a list so repeated names survive).
  const headers: Array<[string, string]> = [['host', url.host], ...hop.headers];
  if (hop.body !== undefined) headers.push(['content-length', `${hop.body.byteLength}`]);
  const options: https.RequestOptions = {
    protocol: url.protocol,
    hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method: hop.method,
    headers: headers.flat(),
    agent: false,
    signal,
    lookup: pinnedLookup(addresses),
    // The certificate is verified against the URL's hostname, not the pinned IP; SNI takes no IP literals.
    ...(tls && isIP(hostname) === 0 ? { servername: hostname } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (tls ? https : http).request(options, resolve);
    request.on('error', reject);
    request.end(hop.body);
  });
}

/** Answers the connection's DNS query with the already-checked addresses, never a fresh lookup. */
function pinnedLookup(addresses: readonly PinnedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family || 0;
    const usable = addresses.filter(({ family }) => wanted === 0 || wanted === family);
    const first = usable[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), '');
    } else if (options.all) {
      callback(
        null,
        usable.map(({ address, family }): LookupAddress => ({ address, family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}
