import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const FILES = new URL('./sample-spa/', import.meta.url);

export interface SampleSpa {
  /** `http://127.0.0.1:<port>`: a different site from the issuer's `localhost`, as an app usually is. */
  origin: string;
  /** Set once the app is registered (its registration needs `origin` first); read on every page load. */
  clientId: string;
  close(): Promise<void>;
}

const escapeAttribute = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/**
 * Serves the sample SPA (sample-spa/) on its own origin, configured for `issuer` and `spa.clientId`. Its
 * CSP is as strict as a careful SPA's: scripts from itself only, connections to itself and the issuer.
 */
export async function startSampleSpa(issuer: string): Promise<SampleSpa> {
  const template = await readFile(new URL('index.html', FILES), 'utf8');
  const script = await readFile(new URL('app.js', FILES), 'utf8');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self' ${new URL(issuer).origin}`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');

  const server: Server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://spa.invalid');
    response.setHeader('cache-control', 'no-store');
    if (request.method !== 'GET') {
      response.writeHead(405).end();
    } else if (pathname === '/' || pathname === '/callback') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      response.end(
        template
          .replace('{{issuer}}', escapeAttribute(issuer))
          .replace('{{clientId}}', escapeAttribute(spa.clientId)),
      );
    } else if (pathname === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const spa: SampleSpa = {
    origin: `http://127.0.0.1:${port}`,
    clientId: '',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return spa;
}
