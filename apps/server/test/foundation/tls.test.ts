import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';

describe('TLS from a certificate and key file', () => {
  let dir: string;
  let server: TestServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = await startServer({
      env: { TESSERA_TLS_CERT_FILE: join(dir, 'cert.pem'), TESSERA_TLS_KEY_FILE: join(dir, 'key.pem') },
    });
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate, HSTS and an https issuer', async () => {
    assert.match(server.url, /^https:\/\//);
    const ca = readFileSync(join(dir, 'cert.pem'));
    const { status, hsts } = await new Promise<{ status?: number; hsts?: string }>((resolve, reject) => {
      get(`${server.url}/health`, { ca }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, hsts: res.headers['strict-transport-security'] });
      }).on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(hsts, 'max-age=31536000; includeSubDomains');
    assert.equal(server.firstRun.issuer, 'https://localhost:3000/');
  });
});
