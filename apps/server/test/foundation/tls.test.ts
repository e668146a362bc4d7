import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type Certificate, localhostCertificate, startServer, type TestServer } from '../helpers.ts';

describe('TLS from a certificate and key file', () => {
  let cert: Certificate;
  let server: TestServer;
  before(async () => {
    cert = await localhostCertificate();
    server = await startServer({
      env: { TESSERA_TLS_CERT_FILE: cert.certFile, TESSERA_TLS_KEY_FILE: cert.keyFile },
    });
  });
  after(async () => {
    await server.stop();
    await cert.remove();
  });

  it('serves HTTPS with the configured certificate, HSTS and an https issuer', async () => {
    assert.match(server.url, /^https:\/\//);
    const ca = readFileSync(cert.certFile);
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
