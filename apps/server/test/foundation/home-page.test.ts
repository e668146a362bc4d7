import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers.ts';

describe('the front page (GET /)', () => {
  let server: TestServer;
  const issuer = 'http://localhost:3000/';
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('answers a small HTML page: the product, the issuer, discovery, the docs and `pnpm tessera try`', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const page = await response.text();
    assert.match(page, /<h1>Tessera<\/h1>/);
    assert.match(page, new RegExp(`<code>${issuer}</code>`));
    assert.match(page, new RegExp(`<a href="${issuer}\\.well-known/openid-configuration">`));
    assert.match(page, /README\.md and the docs\/ folder/);
    assert.match(page, /To see a login, run <code>pnpm tessera try<\/code>/);
    assert.doesNotMatch(page, /<script|\son\w+=|style=/i, 'no script, no inline handler or style');
  });

  it('carries the same security headers and CSP as the login pages', async () => {
    const home = await fetch(`${server.url}/`);
    const login = await fetch(`${server.url}/u/login`);
    for (const name of [
      'content-security-policy',
      'x-content-type-options',
      'referrer-policy',
      'x-frame-options',
      'cross-origin-resource-policy',
    ]) {
      assert.ok(home.headers.get(name), name);
      assert.equal(home.headers.get(name), login.headers.get(name), name);
    }
    assert.match(home.headers.get('content-security-policy')!, /script-src 'self';/);
  });

  it('answers JSON to a client that asks for JSON only', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('vary'), 'accept, accept-language');
    assert.deepEqual(await response.json(), {
      name: 'Tessera',
      issuer,
      openid_configuration: `${issuer}.well-known/openid-configuration`,
      documentation: 'README.md and docs/ in the Tessera repository',
      try: 'pnpm tessera try',
    });
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${server.url}/`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await response.text(), '');
  });

  it('treats an odd Accept header as a browser, and names the tenant issuer whatever the Host', async () => {
    const odd = await fetch(`${server.url}/`, { headers: { accept: 'application/jsonx;;;, */*' } });
    assert.equal(odd.status, 200);
    assert.match(odd.headers.get('content-type') ?? '', /^text\/html/);
    const both = await fetch(`${server.url}/`, { headers: { accept: 'text/html, application/json' } });
    assert.match(both.headers.get('content-type') ?? '', /^text\/html/, 'a browser names both: HTML');
    const foreign = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(server.url);
      request({
        host: '127.0.0.1',
        port,
        path: '/',
        headers: { host: 'evil.example', accept: 'application/json' },
      })
        .on('response', (response) => {
          let body = '';
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve(body));
        })
        .on('error', reject)
        .end();
    });
    assert.equal(JSON.parse(foreign).issuer, issuer, 'the tenant issuer, never the Host');
  });

  it('shows the first-run tenant by its friendly name "Tessera", not "default", on the pages', async () => {
    const page = await (await fetch(`${server.url}/u/login`)).text();
    assert.match(page, /<p class="tenant">Tessera<\/p>/);
    assert.doesNotMatch(page, />default</);
    const tenant = await server.storage.tenants.getDefault();
    assert.equal(tenant?.name, 'default', 'the tenant keeps its name; only the display name is set');
    assert.equal(tenant?.friendlyName, 'Tessera');
  });
});
