import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { managementAudience } from '@tessera/core';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  createMachine,
  createUsers,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from './helpers.ts';

/**
 * The `auth0` SDK (7.1.0; its AuthenticationClient lives in `auth0/legacy`) speaks only
 * `https://<domain>`, as an app configured for Auth0 does. Tessera runs with the public scheme https
 * (TLS would end at a proxy) and listens on plain http here: the SDK's fetch, its JWKS agent, the
 * app's openid-client and the browser send their requests to that port, unchanged otherwise.
 */
const toPlainHttp = (url: string) => url.replace(/^https:/, 'http:');

/** The SDK also hands its `agent` to fetch as undici's `dispatcher`; the JWKS fetch alone needs it. */
const plainFetch: typeof fetch = (input, init) => {
  const { dispatcher: _agent, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
  return fetch(
    toPlainHttp(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url),
    rest,
  );
};

/** The agent the SDK's ID-token validator fetches the JWKS with: a plain TCP connection to the server. */
class PlainHttpAgent extends Agent {
  readonly port: number;
  constructor(port: number) {
    super();
    this.port = port;
  }
  override createConnection() {
    return connect(this.port, '127.0.0.1');
  }
}

class PlainHttpBrowser extends Browser {
  override fetch(url: string, init: RequestInit = {}) {
    return super.fetch(toPlainHttp(new URL(url, this.origin).href), init);
  }
}

describe('token shapes the Auth0 SDK checks (refreshed ID tokens, client-credentials tokens)', () => {
  let server: OidcTestServer;
  let domain: string;
  let agent: PlainHttpAgent;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  const API = 'https://reports.example.com/';
  const nina = { username: 'nina@example.com', password: 'nina has a long password' };

  /**
   * The `auth0` SDK's AuthenticationClient for one application, as an Auth0 customer builds it. Its
   * `agent` is typed as undici's dispatcher, yet the ID-token validator fetches the JWKS with it as a
   * Node https agent (jose 4), which is the only use left once `plainFetch` drops the dispatcher.
   */
  const sdk = (clientId: string, clientSecret: string) =>
    new AuthenticationClient({
      domain,
      clientId,
      clientSecret,
      fetch: plainFetch,
      agent: agent as unknown as ConstructorParameters<typeof AuthenticationClient>[0]['agent'],
    });

  /** openid-client as the app that logs the user in. */
  const appConfig = async (clientId: string, clientSecret: string) => {
    const config = await oidc.discovery(
      new URL(server.issuer),
      clientId,
      { client_secret: clientSecret },
      oidc.ClientSecretPost(clientSecret),
      { [oidc.customFetch]: plainFetch as oidc.CustomFetch },
    );
    config[oidc.customFetch] = plainFetch as oidc.CustomFetch;
    return config;
  };

  /** A login through the real pages; openid-client checks the ID token's nonce against the one it sent. */
  const login = async (config: oidc.Configuration) => {
    const request = await authorizationRequest(config, { scope: 'openid profile email offline_access' });
    const browser = new PlainHttpBrowser(server.issuer);
    const start = await browser.follow(request.url.href);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const done = await browser.login(start.url, nina.username, nina.password);
    assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url}`);
    return request.redeem(done.url);
  };

  const machine = (audience: string, scopes: string[], name = `machine for ${audience}`) =>
    createMachine(server, audience, scopes, name);

  before(async () => {
    server = await startOidcServer({ TESSERA_PUBLIC_SCHEME: 'https' });
    assert.match(server.issuer, /^https:\/\/localhost:\d+\/$/);
    domain = new URL(server.issuer).host;
    agent = new PlainHttpAgent(Number(new URL(server.url).port));
    await createUsers(server, nina);
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'Reports',
      scopes: [
        { value: 'read:reports', description: 'Read' },
        { value: 'write:reports', description: 'Write' },
      ],
    });
    const keys = await (await plainFetch(`${server.issuer}.well-known/jwks.json`)).json();
    jwks = createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0]);
  });
  after(async () => {
    agent?.destroy();
    await server?.stop();
  });

  describe('refreshed ID tokens carry no nonce (OIDC Core errata §12.2)', () => {
    for (const rotation of ['rotating', 'non-rotating'] as const) {
      it(`the auth0 SDK's refreshTokenGrant accepts the refreshed ID token (${rotation} refresh tokens)`, async () => {
        const app = await createApp(server, {
          refreshToken: { rotation_type: rotation, expiration_type: 'expiring' },
        });
        const tokens = await login(await appConfig(app.clientId, app.clientSecret));
        const original = tokens.claims()!;
        assert.equal(typeof original.nonce, 'string', 'the code exchange ID token keeps the nonce');
        assert.ok(tokens.refresh_token);

        const auth0 = sdk(app.clientId, app.clientSecret);
        const first = await auth0.oauth.refreshTokenGrant({ refresh_token: tokens.refresh_token });
        assert.equal(first.status, 200);
        assert.ok(first.data.id_token, 'the refresh returns an ID token (openid was granted)');
        const refreshed = (await jwtVerify(first.data.id_token, jwks, { audience: app.clientId })).payload;
        assert.equal('nonce' in refreshed, false);
        assert.equal(refreshed.sub, original.sub);
        assert.equal(refreshed.sid, original.sid);

        // Again with what the first refresh returned: a rotated token must not bring the nonce back.
        const next = first.data.refresh_token ?? tokens.refresh_token;
        const second = await auth0.oauth.refreshTokenGrant({ refresh_token: next });
        assert.ok(second.data.id_token);
        assert.equal('nonce' in decodeJwt(second.data.id_token), false);
      });
    }

    it('still refuses a spent rotated refresh token through the SDK, with the OAuth error', async () => {
      const app = await createApp(server);
      const tokens = await login(await appConfig(app.clientId, app.clientSecret));
      const auth0 = sdk(app.clientId, app.clientSecret);
      await auth0.oauth.refreshTokenGrant({ refresh_token: tokens.refresh_token! });
      await assert.rejects(
        auth0.oauth.refreshTokenGrant({ refresh_token: tokens.refresh_token! }),
        (error) => {
          assert.ok(error instanceof AuthApiError);
          assert.equal(error.statusCode, 400);
          assert.equal(error.error, 'invalid_grant');
          return true;
        },
      );
    });
  });

  describe('client-credentials tokens name the machine as Auth0 does', () => {
    it('has sub "<client_id>@clients", gty "client-credentials" and azp (the SDK\'s clientCredentialsGrant)', async () => {
      const { clientId, clientSecret } = await machine(API, ['read:reports']);
      const { data } = await sdk(clientId, clientSecret).oauth.clientCredentialsGrant({ audience: API });
      const claims = (await jwtVerify(data.access_token, jwks, { audience: API, issuer: server.issuer }))
        .payload;
      assert.equal(claims.sub, `${clientId}@clients`);
      assert.equal(claims.gty, 'client-credentials');
      assert.equal(claims.azp, clientId);
      assert.equal(claims.client_id, clientId);
      assert.equal(claims.scope, 'read:reports');
      assert.equal(
        (data as { scope?: string }).scope,
        'read:reports',
        "the response's scope (not in the SDK's type)",
      );
    });

    it('answers introspection of an opaque machine token (no audience) with the same subject and grant type', async () => {
      // A JWT access token is refused by introspection ("Structured JWT Tokens cannot be introspected");
      // a machine token without an audience is opaque, and introspection answers from its stored copy.
      const { clientId, clientSecret } = await machine(API, ['read:reports']);
      const credentials = { client_id: clientId, client_secret: clientSecret };
      const issued = await plainFetch(`${server.issuer}oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...credentials }),
      });
      const { access_token } = (await issued.json()) as { access_token: string };
      assert.doesNotMatch(access_token, /\./, 'an opaque token');
      const response = await plainFetch(`${server.issuer}oauth/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: access_token, ...credentials }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.active, true);
      assert.equal(body.sub, `${clientId}@clients`);
      assert.equal(body.gty, 'client-credentials');
      assert.equal(body.client_id, clientId);
    });

    it('tells another client nothing about the token: introspection inactive, revocation refused (docs/oidc.md#behaviour)', async () => {
      const owner = await machine(API, ['read:reports'], 'Owner');
      const other = await machine(API, ['read:reports'], 'Other');
      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      const issued = await plainFetch(
        `${server.issuer}oauth/token`,
        form({
          grant_type: 'client_credentials',
          client_id: owner.clientId,
          client_secret: owner.clientSecret,
        }),
      );
      const { access_token } = (await issued.json()) as { access_token: string };
      const asOther = { token: access_token, client_id: other.clientId, client_secret: other.clientSecret };

      const probed = await plainFetch(`${server.issuer}oauth/token/introspection`, form(asOther));
      assert.equal(probed.status, 200);
      assert.deepEqual(await probed.json(), { active: false }, 'as for an unknown token');
      const revoked = await plainFetch(`${server.issuer}oauth/revoke`, form(asOther));
      assert.equal(revoked.status, 400);
      assert.equal(((await revoked.json()) as { error: string }).error, 'invalid_request');

      const own = await plainFetch(
        `${server.issuer}oauth/token/introspection`,
        form({ token: access_token, client_id: owner.clientId, client_secret: owner.clientSecret }),
      );
      assert.equal(((await own.json()) as { active: boolean }).active, true, 'the token was not revoked');
    });

    it('refuses a wrong secret and an API without a client grant, with the OAuth errors', async () => {
      const { clientId, clientSecret } = await machine(API, ['read:reports']);
      await assert.rejects(
        sdk(clientId, 'not the secret').oauth.clientCredentialsGrant({ audience: API }),
        (error) => {
          assert.ok(error instanceof AuthApiError);
          assert.equal(error.statusCode, 401);
          assert.equal(error.error, 'invalid_client');
          return true;
        },
      );
      await assert.rejects(
        sdk(clientId, clientSecret).oauth.clientCredentialsGrant({
          audience: managementAudience(server.issuer),
        }),
        (error) => {
          assert.ok(error instanceof AuthApiError);
          assert.equal(error.statusCode, 400);
          assert.equal(error.error, 'access_denied');
          assert.match(error.error_description ?? '', /not authorized to access/);
          return true;
        },
      );
    });
  });

  describe('the Management API takes the new machine tokens as machines, never as users', () => {
    let audience: string;
    const api = (path: string, token: string) =>
      plainFetch(`${audience}${path}`, { headers: { authorization: `Bearer ${token}` } });

    /** A token the tenant itself signed, as only the tenant (or its older version) could mint. */
    const signed = async (claims: JWTPayload & { sub: string }) => {
      const key = (await server.storage.signingKeys.list(server.tenantId)).find(
        (k) => k.use === 'sig' && k.state === 'current',
      );
      assert.ok(key);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(server.issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
    };

    before(() => {
      audience = managementAudience(server.issuer);
    });

    it("accepts the SDK's client-credentials token with the machine's scopes", async () => {
      const { clientId, clientSecret } = await machine(audience, ['read:users']);
      const { data } = await sdk(clientId, clientSecret).oauth.clientCredentialsGrant({ audience });
      assert.equal(decodeJwt(data.access_token).sub, `${clientId}@clients`);
      const users = await api('users', data.access_token);
      assert.equal(users.status, 200);
      assert.ok(Array.isArray(await users.json()));
      const clients = await api('clients', data.access_token);
      assert.equal(clients.status, 403, 'the machine has read:users only');
      assert.equal(((await clients.json()) as { errorCode: string }).errorCode, 'insufficient_scope');
    });

    it('still accepts a machine token of the earlier shape (sub = client id) until it expires', async () => {
      const { clientId } = await machine(audience, ['read:users']);
      const token = await signed({ sub: clientId, client_id: clientId, scope: 'read:users' });
      assert.equal((await api('users', token)).status, 200);
    });

    it('refuses an "@clients" subject that is not the token\'s own client, or lacks the grant type', async () => {
      const { clientId } = await machine(audience, ['read:users']);
      for (const claims of [
        { sub: 'someone-else@clients', client_id: clientId, gty: 'client-credentials' },
        { sub: `${clientId}@clients`, client_id: clientId },
        { sub: `${clientId}@clients`, client_id: clientId, gty: 'password' },
      ]) {
        const response = await api(
          'users',
          await signed({ ...claims, scope: 'read:users read:current_user' }),
        );
        assert.equal(response.status, 401, JSON.stringify(claims));
        const body = (await response.json()) as { errorCode: string; message: string };
        assert.deepEqual([body.errorCode, body.message], ['invalid_token', 'Invalid token']);
      }
    });
  });
});
