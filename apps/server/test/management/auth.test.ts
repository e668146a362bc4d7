import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { managementAudience } from '@tessera/core';
import { SignJWT } from 'jose';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

// docs/security.md#39: no token, an expired token, a token for another tenant or audience, or a missing
// scope → 401/403 with Auth0's error body; nothing changes.
describe('Management API authentication', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  it('answers a request without a token with 401 and Auth0 error body', async () => {
    const response = await h.call('GET', '/logs', { token: null });
    assertAuth0Error(response, 401, 'missing_authentication', /Missing authentication/);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
  });

  it('refuses a malformed authorization header and a garbage token', async () => {
    assertAuth0Error(
      await h.call('GET', '/logs', { headers: { authorization: 'Basic abc' }, token: null }),
      401,
      'invalid_token',
    );
    assertAuth0Error(await h.call('GET', '/logs', { token: 'a.b.c' }), 401, 'invalid_token', /Invalid token/);
  });

  it('refuses a token signed with a key the tenant does not publish (another tenant, a forger)', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const payload = JSON.parse(Buffer.from(h.adminToken.split('.')[1]!, 'base64url').toString());
    const forged = await new SignJWT(payload)
      .setProtectedHeader({
        alg: 'RS256',
        kid: JSON.parse(Buffer.from(h.adminToken.split('.')[0]!, 'base64url').toString()).kid,
      })
      .sign(privateKey);
    assertAuth0Error(await h.call('GET', '/logs', { token: forged }), 401, 'invalid_token', /Invalid token/);
  });

  it("refuses another tenant's genuine management token, which works at its own tenant", async () => {
    const storage = h.server.storage;
    const domain = 'other.localhost:3000';
    const tenant = await storage.tenants.create({ name: 'other', domains: [domain] });
    await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
    await storage.signingKeys.create(tenant.id, { alg: 'HS256', use: 'cookie', state: 'current' });
    const audience = managementAudience(`http://${domain}/`);
    await storage.resourceServers.create(tenant.id, {
      identifier: audience,
      name: 'Management API',
      isSystem: true,
      scopes: [{ value: 'read:logs', description: 'read:logs' }],
    });
    const { client, clientSecret } = await storage.clients.create(tenant.id, {
      name: 'other admin',
      grantTypes: ['client_credentials'],
      grants: [{ audience, scopes: ['read:logs'] }],
    });
    const token = await hostRequest(h.server.url, domain, 'POST', '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: clientSecret,
      audience,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const accessToken = (token.body as { access_token: string }).access_token;
    const own = await hostRequest(h.server.url, domain, 'GET', '/api/v2/logs', undefined, accessToken);
    assert.equal(own.status, 200, 'the token is good at its own tenant');
    assertAuth0Error(await h.call('GET', '/logs', { token: accessToken }), 401, 'invalid_token');
  });

  it('refuses an expired token, even one the tenant signed', async () => {
    const key = (await h.server.storage.signingKeys.list(h.tenantId)).find(
      (k) => k.use === 'sig' && k.state === 'current',
    );
    assert.ok(key?.publicJwk);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ scope: 'read:logs', client_id: 'x' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(h.issuer)
      .setAudience(h.audience)
      .setSubject('x')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(key.privateKey);
    assertAuth0Error(await h.call('GET', '/logs', { token: expired }), 401, 'invalid_token', /Expired token/);
  });

  it('refuses a token for another audience of the same tenant', async () => {
    await h.server.storage.resourceServers.create(h.tenantId, {
      identifier: 'https://orders.example.com/',
      name: 'Orders',
      scopes: [{ value: 'read:logs', description: 'same name, other API' }],
    });
    const { client, clientSecret } = await h.server.storage.clients.create(h.tenantId, {
      name: 'orders machine',
      grantTypes: ['client_credentials'],
      grants: [{ audience: 'https://orders.example.com/', scopes: ['read:logs'] }],
    });
    const response = await fetch(`${h.server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: clientSecret,
        audience: 'https://orders.example.com/',
      }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    assertAuth0Error(
      await h.call('GET', '/logs', { token: access_token }),
      401,
      'invalid_token',
      /Bad audience/,
    );
  });

  it('answers 403 insufficient_scope naming the scope, and the write does not happen', async () => {
    const token = await h.tokenWith(['read:logs']);
    const listed = await h.call('GET', '/logs', { token });
    assert.equal(listed.status, 200);
    const response = await h.call('POST', '/roles', { token, body: { name: 'should-not-exist' } });
    assertAuth0Error(
      response,
      403,
      'insufficient_scope',
      /Insufficient scope, expected any of: create:roles/,
    );
  });

  it('answers unknown paths with Auth0 404 body', async () => {
    assertAuth0Error(await h.call('GET', '/no-such-resource'), 404, 'not_found');
  });
});

/** A request with another Host header (fetch cannot set one): how a second tenant's domain is reached. */
function hostRequest(
  baseUrl: string,
  host: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${baseUrl}${path}`,
      {
        method,
        headers: {
          host,
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
