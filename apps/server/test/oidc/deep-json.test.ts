import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '@tessera/core';
import { createApp, createMachine, type OidcTestServer, REDIRECT_URI, startOidcServer } from './helpers.ts';

/**
 * docs/security.md#50: a JSON body nested deeper than MAX_JSON_DEPTH is refused at every protocol
 * endpoint with RFC 6749 §5.2's `invalid_request`, before anything walks it (a 50 000-level body used
 * to overflow the stack and answer 500). Form bodies are not JSON and are not affected.
 */
describe('deeply nested JSON at the protocol endpoints', () => {
  let server: OidcTestServer;
  let machine: { clientId: string; clientSecret: string };
  const API = 'https://api.example.com/';
  const LIMIT_MESSAGE = `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}.`;

  /** `levels` of arrays around a number: with the body object around it, `levels + 1` levels in all. */
  const arrays = (levels: number) => '['.repeat(levels) + '1' + ']'.repeat(levels);

  before(async () => {
    server = await startOidcServer();
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'Example API',
      scopes: [{ value: 'read:things', description: 'Read things' }],
    });
    machine = await createMachine(server, API, ['read:things']);
  });
  after(() => server.stop());

  /** A client-credentials request as JSON, with `extra` (raw JSON text) as one more parameter. */
  const grantJson = (extra: string) =>
    `{"grant_type":"client_credentials","client_id":${JSON.stringify(machine.clientId)},` +
    `"client_secret":${JSON.stringify(machine.clientSecret)},"audience":${JSON.stringify(API)},"extra":${extra}}`;

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${server.issuer}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  /** Exactly RFC 6749 §5.2's body with this description, and nothing issued. */
  async function assertInvalidRequest(response: Response, description: string) {
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: description });
  }

  it('refuses a 50 000-level JSON body at /oauth/token with 400 invalid_request naming the limit', async () => {
    await assertInvalidRequest(await post('oauth/token', grantJson(arrays(50_000))), LIMIT_MESSAGE);
    await assertInvalidRequest(await post('oauth/token', arrays(50_000)), LIMIT_MESSAGE);
    const objects = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    await assertInvalidRequest(await post('oauth/token', objects), LIMIT_MESSAGE);
  });

  it(`refuses ${MAX_JSON_DEPTH + 1} levels and grants a token for exactly ${MAX_JSON_DEPTH}`, async () => {
    await assertInvalidRequest(await post('oauth/token', grantJson(arrays(MAX_JSON_DEPTH))), LIMIT_MESSAGE);
    const accepted = await post('oauth/token', grantJson(arrays(MAX_JSON_DEPTH - 1)));
    const body = (await accepted.json()) as Record<string, unknown>;
    assert.equal(accepted.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.access_token, 'string');
  });

  it('refuses a deep JSON body at every protocol endpoint that reads one', async () => {
    for (const path of ['oauth/token', 'oauth/revoke', 'oauth/token/introspection', 'oauth/par']) {
      const response = await post(path, grantJson(arrays(10_000)));
      assert.equal(response.status, 400, path);
      assert.deepEqual(
        await response.json(),
        { error: 'invalid_request', error_description: LIMIT_MESSAGE },
        path,
      );
    }
  });

  it('refuses a deep JSON `claims` object at /oauth/token', async () => {
    const claims = `{"id_token":{"email":${arrays(10_000)}}}`;
    await assertInvalidRequest(await post('oauth/token', grantJson(claims)), LIMIT_MESSAGE);
  });

  it('refuses a __proto__ key in a JSON body at /oauth/token instead of passing it on', async () => {
    const body = grantJson('1').replace('{', '{"__proto__":{"polluted":true},');
    await assertInvalidRequest(
      await post('oauth/token', body),
      'The request body has a __proto__ or constructor.prototype key, which is not allowed.',
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('leaves form bodies alone: brackets in a form value are text, and the grant succeeds', async () => {
    // 5 000 levels of brackets as text (30 KB encoded, within oidc-provider's own form size limit).
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: machine.clientId,
      client_secret: machine.clientSecret,
      audience: API,
      claims: arrays(5_000),
    });
    const response = await post('oauth/token', form.toString(), 'application/x-www-form-urlencoded');
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
  });

  it('ignores a deep `claims` query parameter at /authorize (the claims parameter is not supported)', async () => {
    const app = await createApp(server);
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        state: 'st',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        ...extra,
      });
    const claims = `{"id_token":{"email":${arrays(2_000)}}}`;
    const response = await fetch(`${server.issuer}authorize?${query({ claims })}`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', /^\/u\/login\?state=[\w-]+$/);
  });

  it('refuses a deep JSON body on the login pages (/continue) with a 400 page', async () => {
    const response = await post('continue?state=anything', `{"state":"s","x":${arrays(10_000)}}`);
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const page = await response.text();
    assert.ok(page.includes('more than 64 levels deep; the limit is 64.'), page);
  });
});
