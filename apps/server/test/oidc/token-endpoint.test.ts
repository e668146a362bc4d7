import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser, createMachine, type OidcTestServer, REDIRECT_URI, startOidcSetup } from './helpers.ts';

/**
 * `/oauth/token` as Auth0 SDKs call it: auth0-spa-js and several server SDKs POST JSON rather than
 * RFC 6749's form, from a browser origin listed in the app's "Allowed Web Origins" (`web_origins`).
 */
describe('the token endpoint', () => {
  let server: OidcTestServer;
  let tokenUrl: string;
  let app: { clientId: string; clientSecret: string };
  let spa: { clientId: string };
  let machine: { clientId: string; clientSecret: string };
  const API = 'https://api.example.com/';
  const SPA_ORIGIN = 'https://spa.example.com';
  const gina = { username: 'gina@example.com', password: 'gina has a good password' };

  before(async () => {
    ({ server, app } = await startOidcSetup({ users: [gina] }));
    tokenUrl = `${server.issuer}oauth/token`;
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'Example API',
      scopes: [{ value: 'read:things', description: 'Read things' }],
    });
    machine = await createMachine(server, API, ['read:things']);
    const single = await server.storage.clients.create(server.tenantId, {
      name: 'Single Page App',
      appType: 'spa',
      isFirstParty: true,
      callbacks: [REDIRECT_URI],
      webOrigins: [SPA_ORIGIN],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'none',
      refreshToken: { rotation_type: 'rotating', expiration_type: 'expiring' },
    });
    spa = { clientId: single.client.clientId };
  });
  after(() => server.stop());

  const jwks = () => createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));

  const postJson = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const postForm = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body),
    });

  /** A code + PKCE login through the real pages, stopping at the app's callback (code not redeemed). */
  async function authorizationCode(clientId: string, scope = 'openid profile email') {
    const verifier = oidc.randomPKCECodeVerifier();
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope,
      state: 'st',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new Browser(server.issuer);
    const start = await browser.follow(`${server.issuer}authorize?${query}`);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const done = await browser.login(start.url, gina.username, gina.password);
    const callback = new URL(done.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI, `back at the app, got ${done.url}`);
    const code = callback.searchParams.get('code');
    assert.ok(code, 'the callback carries a code');
    return { code, verifier };
  }

  /** RFC 6749 §5.2: a JSON object with a registered `error` code and, here, a description. */
  async function oauthError(response: Response, status: number, error: string) {
    assert.equal(response.status, status);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.error, error, JSON.stringify(body));
    assert.equal(typeof body.error_description, 'string');
    assert.equal(body.access_token, undefined, 'nothing issued');
    assert.equal(body.id_token, undefined, 'nothing issued');
    return body;
  }

  it('accepts a JSON body for client_credentials', async () => {
    const response = await postJson({
      grant_type: 'client_credentials',
      client_id: machine.clientId,
      client_secret: machine.clientSecret,
      audience: API,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store', 'RFC 6749 §5.1');
    const body = (await response.json()) as { access_token: string; token_type: string; scope: string };
    assert.equal(body.token_type, 'Bearer');
    const { payload } = await jwtVerify(body.access_token, jwks(), { issuer: server.issuer, audience: API });
    assert.equal(payload.client_id, machine.clientId);
    assert.equal(payload.scope, 'read:things');

    const wrongSecret = await postJson({
      grant_type: 'client_credentials',
      client_id: machine.clientId,
      client_secret: 'not-the-secret',
      audience: API,
    });
    await oauthError(wrongSecret, 401, 'invalid_client');
  });

  it('accepts a JSON body for authorization_code (code + PKCE) and for refresh_token', async () => {
    const { code, verifier } = await authorizationCode(app.clientId, 'openid profile email offline_access');
    const response = await postJson({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    });
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as {
      id_token: string;
      access_token: string;
      refresh_token: string;
    };
    const { payload } = await jwtVerify(tokens.id_token, jwks(), {
      issuer: server.issuer,
      audience: app.clientId,
    });
    assert.equal(payload.email, gina.username);
    assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');

    const refreshed = await postJson({
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refreshed.status, 200);
    const next = (await refreshed.json()) as { id_token: string; refresh_token: string };
    assert.ok(next.id_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token, 'rotated');

    const again = await postJson({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    });
    await oauthError(again, 400, 'invalid_grant');
  });

  it('answers malformed JSON with 400 and an OAuth error body, and the code in it stays unspent', async () => {
    const { code, verifier } = await authorizationCode(app.clientId);
    const fields = {
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    };
    for (const broken of [JSON.stringify(fields).slice(0, -1), `${JSON.stringify(fields)},`, "{'a':1}"]) {
      const body = await oauthError(await postJson(broken), 400, 'invalid_request');
      assert.doesNotMatch(
        String(body.error_description),
        /Unexpected token|at position|SyntaxError/,
        'no parser internals',
      );
    }
    // The request was refused before anything read the code: the app's proper retry still works.
    const retry = await postJson(fields);
    assert.equal(retry.status, 200);
    assert.ok(((await retry.json()) as { id_token?: string }).id_token);
  });

  it('refuses oversized bodies with 413 or 400 and an OAuth error body, issuing nothing', async () => {
    const { code, verifier } = await authorizationCode(app.clientId);
    const fields = {
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    };
    // Over the server's body limit (TESSERA_BODY_LIMIT_BYTES, 1 MiB by default).
    const hugeJson = await postJson({ ...fields, padding: 'x'.repeat(1_100_000) });
    await oauthError(hugeJson, 413, 'invalid_request');
    // A form is read by oidc-provider itself, which stops at 56 KiB.
    const bigForm = await postForm({ ...fields, padding: 'x'.repeat(100_000) });
    await oauthError(bigForm, 400, 'invalid_request');

    const retry = await postJson(fields);
    assert.equal(retry.status, 200, 'the refused requests did not spend the code');
  });

  it('answers an unknown grant_type with unsupported_grant_type, as JSON and as a form', async () => {
    // `password` is a known grant now, refused to clients without it (password-grant.test.ts).
    for (const grant_type of [
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:example:unknown',
      'implicit',
    ]) {
      const credentials = { client_id: app.clientId, client_secret: app.clientSecret };
      await oauthError(await postJson({ grant_type, ...credentials }), 400, 'unsupported_grant_type');
      await oauthError(await postForm({ grant_type, ...credentials }), 400, 'unsupported_grant_type');
    }
    await oauthError(
      await postJson({ client_id: app.clientId, client_secret: app.clientSecret }),
      400,
      'invalid_request',
    );
  });

  it("answers a request from one of the app's web_origins with Access-Control-Allow-Origin, and refuses another origin", async () => {
    const allowed = await authorizationCode(spa.clientId, 'openid profile offline_access');
    const fields = (code: string, verifier: string) => ({
      grant_type: 'authorization_code',
      client_id: spa.clientId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    });

    // The preflight a browser sends before auth0-spa-js's JSON POST.
    const preflight = await fetch(tokenUrl, {
      method: 'OPTIONS',
      headers: {
        origin: SPA_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /content-type/i);

    const evil = await postJson(fields(allowed.code, allowed.verifier), {
      origin: 'https://evil.example.com',
    });
    assert.equal(evil.headers.get('access-control-allow-origin'), null, 'no CORS grant for another origin');
    await oauthError(evil, 400, 'invalid_request');

    const response = await postJson(fields(allowed.code, allowed.verifier), { origin: SPA_ORIGIN });
    assert.equal(response.status, 200, 'the refused cross-origin request did not spend the code');
    assert.equal(response.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.match(response.headers.get('vary') ?? '', /origin/i);
    const tokens = (await response.json()) as { id_token: string; refresh_token: string };
    await jwtVerify(tokens.id_token, jwks(), { issuer: server.issuer, audience: spa.clientId });

    const refreshed = await postJson(
      { grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: tokens.refresh_token },
      { origin: SPA_ORIGIN },
    );
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.headers.get('access-control-allow-origin'), SPA_ORIGIN);

    // A confidential app with no web_origins gets no CORS grant either.
    const { code, verifier } = await authorizationCode(app.clientId);
    const fromBrowser = await postJson(
      { ...fields(code, verifier), client_id: app.clientId, client_secret: app.clientSecret },
      { origin: SPA_ORIGIN },
    );
    assert.equal(fromBrowser.headers.get('access-control-allow-origin'), null);
    await oauthError(fromBrowser, 400, 'invalid_request');
  });
});
