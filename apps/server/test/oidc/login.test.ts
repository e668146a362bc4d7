import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browser, discover, loginWithCode, type OidcTestServer, startOidcSetup } from './helpers.ts';

describe('an app configured for Auth0 logs in with openid-client (code + PKCE)', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const alice = { username: 'alice@example.com', password: 'correct horse battery staple' };
  before(async () => {
    ({ server, app } = await startOidcSetup({ users: [{ ...alice, name: 'Alice' }] }));
  });
  after(() => server.stop());

  it('discovers Auth0 paths under the issuer with its trailing slash', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.issuer);
    assert.match(server.issuer, /^http:\/\/localhost:\d+\/$/);
    assert.equal(metadata.authorization_endpoint, `${server.issuer}authorize`);
    assert.equal(metadata.token_endpoint, `${server.issuer}oauth/token`);
    assert.equal(metadata.jwks_uri, `${server.issuer}.well-known/jwks.json`);
    assert.equal(metadata.userinfo_endpoint, `${server.issuer}userinfo`);
    assert.equal(metadata.revocation_endpoint, `${server.issuer}oauth/revoke`);
    assert.equal(metadata.end_session_endpoint, `${server.issuer}oidc/logout`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  });

  it('logs in through the login page and gets tokens that verify against the JWKS', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), alice);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, {
      issuer: server.issuer,
      audience: app.clientId,
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(protectedHeader.kid);
    assert.match(String(payload.sub), /^auth0\|[0-9a-f]{24}$/);
    assert.equal(payload.email, alice.username);
    assert.equal(payload.name, 'Alice');
    assert.deepEqual(payload.amr, ['pwd']);
    assert.ok(payload.sid && payload.auth_time);
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(payload.sub));
    assert.equal(userinfo.email, alice.username);

    const user = await server.storage.users.findById(server.tenantId, String(payload.sub));
    assert.equal(user?.logins_count, 1);
  });
});
