import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy } from './helpers.ts';

/**
 * A real TLS server with a throwaway self-signed certificate for `localhost`. It records the SNI name of
 * every handshake, proving the connection pinned to the checked IP still presents the URL's hostname.
 */
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const sniNames: string[] = [];
let server: tls.Server | undefined;
let port = 0;

before(async () => {
  if (!hasOpenssl) return;
  const dir = mkdtempSync(join(tmpdir(), 'egress-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
        .concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'])
        .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    const context = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    server = tls.createServer({
      ...context,
      SNICallback: (name, callback) => {
        sniNames.push(name);
        callback(null, tls.createSecureContext(context));
      },
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

test('https sends the URL hostname as SNI and rejects a certificate no CA vouches for', {
  skip: hasOpenssl ? false : 'openssl is not installed',
}, async () => {
  await assert.rejects(
    egressFetch(get(`https://localhost:${port}/`), policy({ allowHosts: [`localhost:${port}`] })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'network' &&
      error.message ===
        `fetch to localhost:${port} failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
  );
  assert.deepEqual(sniNames, ['localhost']);
});
