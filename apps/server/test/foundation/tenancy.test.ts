import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startServer, type TestServer } from '../helpers.ts';

/** A probe route that shows which tenant served the request (registered by this test only). */
async function whoami(app: FastifyInstance) {
  app.get('/test/tenant', async (request) => ({ tenant: request.tenant.name }));
}

async function tenantFor(server: TestServer, host: string, headers: Record<string, string> = {}) {
  const { statusCode, body } = await server.app.inject({
    method: 'GET',
    url: '/test/tenant',
    headers: { host, ...headers },
  });
  assert.equal(statusCode, 200, body);
  return (JSON.parse(body) as { tenant: string }).tenant;
}

describe('tenant resolution by Host header', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ plugins: [whoami] });
    await server.storage.tenants.create({
      name: 'acme',
      domains: ['login.acme.test', 'acme.localhost:3000'],
    });
  });
  after(() => server.stop());

  it('serves a custom domain with its tenant', async () => {
    assert.equal(await tenantFor(server, 'login.acme.test'), 'acme');
    assert.equal(await tenantFor(server, 'acme.localhost:3000'), 'acme');
  });

  it('matches case-insensitively, ignores a trailing dot, and matches a domain without its port', async () => {
    assert.equal(await tenantFor(server, 'LOGIN.ACME.TEST'), 'acme');
    assert.equal(await tenantFor(server, 'login.acme.test.'), 'acme');
    assert.equal(await tenantFor(server, 'login.acme.test:8443'), 'acme');
  });

  it('falls back to the default tenant for unknown or malformed hosts', async () => {
    assert.equal(await tenantFor(server, 'localhost:3000'), 'default');
    assert.equal(await tenantFor(server, 'unknown.example'), 'default');
    assert.equal(await tenantFor(server, 'bad host/../x'), 'default');
  });

  it('ignores X-Forwarded-Host from a client that is not a trusted proxy', async () => {
    assert.equal(
      await tenantFor(server, 'localhost:3000', { 'x-forwarded-host': 'login.acme.test' }),
      'default',
    );
  });
});

describe('tenant resolution behind a trusted proxy', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ plugins: [whoami], env: { TESSERA_TRUST_PROXY: '127.0.0.1' } });
    await server.storage.tenants.create({ name: 'acme', domains: ['login.acme.test'] });
  });
  after(() => server.stop());

  it('uses X-Forwarded-Host from the trusted proxy', async () => {
    assert.equal(
      await tenantFor(server, 'localhost:3000', { 'x-forwarded-host': 'login.acme.test' }),
      'acme',
    );
  });
});
