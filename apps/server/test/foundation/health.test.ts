import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';

describe('health, readiness and the headers of every response', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('answers /health while the process is alive', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('answers /ready with each dependency checked', async () => {
    const response = await fetch(`${server.url}/ready`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', checks: { database: 'ok', kv: 'ok' } });
  });

  for (const path of ['/health', '/no-such-route']) {
    it(`sends security headers on ${path}`, async () => {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('strict-transport-security'), null, 'no HSTS without TLS');
      assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    });
  }

  it('answers an unknown route with a 404 in the OAuth error shape, without reflecting markup', async () => {
    const response = await fetch(`${server.url}/<script>alert(1)</script>?x=1`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'not_found');
  });

  it('keeps a plain caller-supplied request id and replaces a forged one', async () => {
    const plain = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(plain.headers.get('x-request-id'), 'abc-123');
    const forged = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'a"}\\n{"level":60' } });
    assert.notEqual(forged.headers.get('x-request-id'), 'a"}\\n{"level":60');
  });

  it('logs JSON with the request id and never the credentials of a request', async () => {
    await fetch(`${server.url}/health?code=SECRETCODE&client_secret=SECRETCS&keep=visible`, {
      headers: {
        authorization: 'Bearer SECRETTOKEN',
        cookie: 'session=SECRETCOOKIE',
        'x-request-id': 'log-test-1',
      },
    });
    const lines = server.logs.filter((line) => line.reqId === 'log-test-1');
    assert.ok(lines.length >= 2, 'incoming and completed request lines');
    const text = JSON.stringify(lines);
    for (const secret of ['SECRETCODE', 'SECRETCS', 'SECRETTOKEN', 'SECRETCOOKIE'])
      assert.ok(!text.includes(secret), secret);
    assert.match(text, /keep=visible/);
    assert.match(text, /code=\[Redacted\]/);
  });
});
