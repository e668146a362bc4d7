import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientCredentials, failure, newAudience } from './clients-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

const SAMLP = {
  audience: 'urn:example:sp',
  recipient: 'https://sp.example.com/saml/acs',
  mappings: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
  signatureAlgorithm: 'rsa-sha256',
  digestAlgorithm: 'sha256',
  lifetimeInSeconds: 3600,
  nameIdentifierProbes: ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'],
  logout: { callback: 'https://sp.example.com/saml/slo', slo_enabled: true },
};

describe('Management API /clients', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const count = async () => (await h.server.storage.clients.listByTenant(h.tenantId)).length;

  /** A machine client, an API and a grant between them, all made through the SDK. */
  async function machineWithApi(scopes = ['read:things']) {
    const audience = newAudience('things');
    await h.management.resourceServers.create({
      identifier: audience,
      name: 'Things',
      scopes: scopes.map((value) => ({ value, description: value })),
    });
    const client = await h.management.clients.create({
      name: 'Things sync',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
    await h.management.clientGrants.create({ client_id: client.client_id!, audience, scope: scopes });
    return { client, audience, secret: client.client_secret! };
  }

  it('creates a client through the SDK, showing its secret once, and reads it back without it', async () => {
    const created = await h.management.clients.create({
      name: 'Storefront',
      description: 'The shop',
      app_type: 'regular_web',
      callbacks: ['https://shop.example.com/callback'],
      allowed_logout_urls: ['https://shop.example.com/'],
      web_origins: ['https://shop.example.com'],
      grant_types: ['authorization_code', 'refresh_token'],
      client_metadata: { team: 'commerce' },
      addons: { samlp: SAMLP },
    });
    assert.match(created.client_id!, /^[A-Za-z0-9]{32}$/);
    assert.ok(created.client_secret && created.client_secret.length >= 43);
    assert.equal(created.name, 'Storefront');
    assert.equal(created.token_endpoint_auth_method, 'client_secret_post');
    assert.equal(created.tenant, h.server.firstRun.tenant.name);
    assert.deepEqual(created.addons, { samlp: SAMLP }, 'the SAML settings are kept for the SAML provider');
    assert.deepEqual(created.client_metadata, { team: 'commerce' });
    assert.deepEqual(created.jwt_configuration, {
      alg: 'RS256',
      lifetime_in_seconds: 36000,
      secret_encoded: false,
    });

    const read = await h.management.clients.get(created.client_id!);
    assert.equal(read.client_secret, undefined, 'Tessera keeps only an HMAC of the secret');
    const { client_secret: _shownOnce, ...withoutSecret } = created;
    assert.deepEqual(read, withoutSecret);
    const listed = await h.management.clients.list({ per_page: 100 });
    assert.ok(listed.data.some((c) => c.client_id === created.client_id && c.client_secret === undefined));
  });

  it('updates and deletes a client through the SDK', async () => {
    const { client_id } = await h.management.clients.create({ name: 'Temporary', app_type: 'spa' });
    assert.equal(
      (await h.management.clients.get(client_id!)).token_endpoint_auth_method,
      'none',
      'SPAs are public',
    );
    const updated = await h.management.clients.update(client_id!, {
      name: 'Renamed',
      callbacks: ['https://spa.example.com/'],
      client_metadata: { a: '1' },
    });
    assert.equal(updated.name, 'Renamed');
    assert.deepEqual(updated.callbacks, ['https://spa.example.com/']);
    assert.equal(updated.app_type, 'spa', 'fields not sent are kept');
    await h.management.clients.delete(client_id!);
    const gone = await failure(h.management.clients.get(client_id!));
    assert.deepEqual(gone.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The client does not exist',
      errorCode: 'inexistent_client',
    });
  });

  it('gives a machine client made through the API tokens for the API it was granted', async () => {
    const { client, audience, secret } = await machineWithApi(['read:things', 'write:things']);
    const token = await clientCredentials(h, client.client_id!, secret, audience);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.claims?.aud, audience);
    assert.equal(token.claims?.scope, 'read:things write:things');
    const other = await clientCredentials(h, client.client_id!, secret, h.audience);
    assert.equal(other.status, 400, 'no grant for the Management API');
  });

  it('lets a regular web app without callbacks use client credentials (Auth0 default grant types)', async () => {
    const audience = newAudience('web');
    await h.management.resourceServers.create({ identifier: audience, name: 'Web API', scopes: [] });
    const client = await h.management.clients.create({
      name: 'Backend of a web app',
      app_type: 'regular_web',
    });
    await h.management.clientGrants.create({ client_id: client.client_id!, audience, scope: [] });
    const token = await clientCredentials(h, client.client_id!, client.client_secret!, audience);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.claims?.aud, audience);
  });

  it('stops the old secret at once on rotation; the new one works', async () => {
    const { client, audience, secret } = await machineWithApi();
    assert.equal((await clientCredentials(h, client.client_id!, secret, audience)).status, 200);
    const rotated = await h.management.clients.rotateSecret(client.client_id!);
    assert.ok(rotated.client_secret && rotated.client_secret !== secret);
    const old = await clientCredentials(h, client.client_id!, secret, audience);
    assert.equal(old.status, 401);
    assert.equal(old.body.error, 'invalid_client');
    assert.equal(
      (await clientCredentials(h, client.client_id!, rotated.client_secret, audience)).status,
      200,
    );
  });

  it('refuses tokens to a deleted client at once, even right after it got one', async () => {
    const { client, audience, secret } = await machineWithApi();
    assert.equal((await clientCredentials(h, client.client_id!, secret, audience)).status, 200);
    await h.management.clients.delete(client.client_id!);
    const refused = await clientCredentials(h, client.client_id!, secret, audience);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
  });

  it('applies an update to the provider at once (client credentials taken away)', async () => {
    const { client, audience, secret } = await machineWithApi();
    assert.equal((await clientCredentials(h, client.client_id!, secret, audience)).status, 200);
    await h.management.clients.update(client.client_id!, {
      grant_types: ['authorization_code'],
      callbacks: ['https://a.example.com/cb'],
    });
    const refused = await clientCredentials(h, client.client_id!, secret, audience);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(String(refused.body.error_description), /grant type is not allowed/);
  });

  it('paginates with Auth0 totals, filters by app_type and projects fields', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) {
      await h.management.clients.create({ name, app_type: 'native' });
    }
    const total = await count();
    const bare = await h.call('GET', '/clients?per_page=2&page=0');
    assert.equal(bare.status, 200);
    assert.ok(Array.isArray(bare.body));
    assert.equal(bare.body.length, 2);
    const second = await h.call('GET', '/clients?per_page=2&page=1&include_totals=true');
    assert.deepEqual(Object.keys(second.body).sort(), ['clients', 'limit', 'start', 'total']);
    assert.deepEqual([second.body.start, second.body.limit, second.body.total], [2, 2, total]);
    const all: string[] = [];
    for await (const client of await h.management.clients.list({ per_page: 2 })) all.push(client.client_id!);
    assert.equal(all.length, total, 'the SDK pages through every client');
    assert.equal(new Set(all).size, total);

    const natives = await h.call('GET', '/clients?app_type=native&fields=name,app_type');
    assert.ok(natives.body.length >= 3);
    for (const client of natives.body) assert.deepEqual(Object.keys(client).sort(), ['app_type', 'name']);
    const without = await h.call(
      'GET',
      '/clients?app_type=native&fields=callbacks,addons&include_fields=false',
    );
    assert.ok(without.body.every((c: object) => !('callbacks' in c) && !('addons' in c) && 'client_id' in c));
    const one = await h.call('GET', `/clients/${all[0]}?fields=client_id`);
    assert.deepEqual(one.body, { client_id: all[0] });
  });

  it('refuses callers without the scope, changing nothing', async () => {
    const reader = await h.tokenWith(['read:clients']);
    const stranger = await h.tokenWith(['read:users']);
    const before = await count();
    assertAuth0Error(
      await h.call('POST', '/clients', { token: reader, body: { name: 'Nope' } }),
      403,
      'insufficient_scope',
      /create:clients/,
    );
    const { client_id } = await h.management.clients.create({ name: 'Guarded' });
    assertAuth0Error(
      await h.call('PATCH', `/clients/${client_id}`, { token: reader, body: { name: 'x' } }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('DELETE', `/clients/${client_id}`, { token: reader }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('POST', `/clients/${client_id}/rotate-secret`, { token: reader }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(await h.call('GET', '/clients', { token: stranger }), 403, 'insufficient_scope');
    assert.equal(await count(), before + 1);
    assert.equal((await h.management.clients.get(client_id!)).name, 'Guarded');
    const editor = await h.tokenWith(['update:clients']);
    assertAuth0Error(
      await h.call('POST', `/clients/${client_id}/rotate-secret`, { token: editor }),
      403,
      'insufficient_scope',
      /update:client_keys$/,
    );
    const keys = await h.tokenWith(['update:client_keys']);
    assert.equal((await h.call('POST', `/clients/${client_id}/rotate-secret`, { token: keys })).status, 200);
  });

  it('refuses bad input with Auth0 errors and writes nothing', async () => {
    const before = await count();
    const bad = async (body: unknown, message: RegExp) =>
      assertAuth0Error(await h.call('POST', '/clients', { body }), 400, 'invalid_body', message);
    assertAuth0Error(
      await h.call('POST', '/clients', { raw: '{"name": ' }),
      400,
      'invalid_body',
      /Invalid request payload JSON/,
    );
    await bad({ name: 'x', sso: true }, /Additional properties not allowed: sso/);
    await bad({ description: 'no name' }, /Missing required property: name/);
    await bad({ name: 42 }, /Expected type string but found type integer/);
    await bad({ name: 'x', callbacks: ['/relative'] }, /callbacks/);
    await bad({ name: 'x', callbacks: ['https://a.example.com/#frag'] }, /callbacks/);
    await bad({ name: 'x', web_origins: ['https://a.example.com/path'] }, /web_origins/);
    await bad(
      { name: 'x', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] },
      /No enum match for: "urn:ietf:params:oauth:grant-type:device_code"/,
    );
    await bad({ name: 'x', app_type: 'rms' }, /No enum match/);
    await bad({ name: 'x', token_endpoint_auth_method: 'client_secret_jwt' }, /No enum match/);
    await bad({ name: 'x', app_type: 'spa', grant_types: ['client_credentials'] }, /client_credentials/);
    await bad({ name: 'x', client_metadata: { n: 1 } }, /Expected type string but found type integer/);
    await bad({ name: 'x', client_metadata: { v: 'x'.repeat(256) } }, /String is too long/);
    await bad({ name: 'x', client_metadata: { ['k'.repeat(256)]: 'v' } }, /client_metadata/);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    await bad({ name: 'x', client_metadata: eleven }, /client_metadata/);
    await bad(
      { name: 'x', addons: { samlp: { ...SAMLP, signatureAlgoritm: 'rsa-sha1' } } },
      /Additional properties not allowed: signatureAlgoritm/,
    );
    await bad({ name: 'x', addons: { samlp: { signatureAlgorithm: 'rsa-md5' } } }, /No enum match/);
    await bad({ name: 'x', addons: { samlp: { lifetimeInSeconds: 0 } } }, /addons.samlp.lifetimeInSeconds/);
    await bad({ name: 'x', addons: { samlp: { mappings: { email: ['a'] } } } }, /Expected type string/);
    await bad({ name: 'x', addons: { aws: {} } }, /Additional properties not allowed: aws/);
    await bad({ name: 'x', jwt_configuration: { alg: 'PS256' } }, /no current signing key for PS256/);
    assert.equal(await count(), before, 'nothing was created');

    const { client_id } = await h.management.clients.create({
      name: 'Kept',
      callbacks: ['https://k.example.com/cb'],
    });
    const patch = await h.call('PATCH', `/clients/${client_id}`, {
      body: { name: 'Changed', callbacks: ['nope'] },
    });
    assertAuth0Error(patch, 400, 'invalid_body', /callbacks/);
    const kept = await h.management.clients.get(client_id!);
    assert.equal(kept.name, 'Kept', 'a refused PATCH changes nothing');
    assert.deepEqual(kept.callbacks, ['https://k.example.com/cb']);
  });

  it('answers 404 inexistent_client for unknown ids, also those of clients of other tenants', async () => {
    for (const [method, path] of [
      ['GET', '/clients/doesnotexist'],
      ['PATCH', '/clients/doesnotexist'],
      ['DELETE', '/clients/doesnotexist'],
      ['POST', '/clients/doesnotexist/rotate-secret'],
    ] as const) {
      const response = await h.call(method, path, method === 'PATCH' ? { body: { name: 'x' } } : {});
      assertAuth0Error(response, 404, 'inexistent_client', /The client does not exist/);
    }
    const other = await h.server.storage.tenants.create({
      name: 'other-clients',
      domains: ['other-clients.example.com'],
    });
    const { client } = await h.server.storage.clients.create(other.id, { name: 'Theirs' });
    assertAuth0Error(await h.call('GET', `/clients/${client.clientId}`), 404, 'inexistent_client');
    assertAuth0Error(await h.call('DELETE', `/clients/${client.clientId}`), 404, 'inexistent_client');
    assert.ok(
      await h.server.storage.clients.findById(other.id, client.clientId),
      'their client is untouched',
    );
  });
});
