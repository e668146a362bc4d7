import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { continueUnchanged, type PostLoginPort, type PostLoginTransaction } from '@tessera/core';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  Browser,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

/**
 * The seam the post-login trigger plugs into: whatever the port returns reaches the tokens through the
 * two merge points (ID token after oidc-provider's claim filter, access token via extraTokenClaims),
 * stays with the grant across refreshes, and a denial reaches the app as an OAuth error.
 */
describe('the post-login port', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const seen: PostLoginTransaction[] = [];
  let deny = false;
  const port: PostLoginPort = {
    async run(transaction) {
      seen.push(transaction);
      if (deny) return { kind: 'deny', error: 'access_denied', description: 'Not on weekends' };
      return {
        kind: 'continue',
        idTokenClaims: { 'https://example.com/roles': ['admin'], favourite_colour: 'teal', sub: 'attacker' },
        accessTokenClaims: { 'https://example.com/tier': 'gold' },
        addScopes: [],
        removeScopes: [],
      };
    },
    bind: continueUnchanged.bind,
    resume: continueUnchanged.resume,
  };
  const erin = { username: 'erin@example.com', password: 'erin has a good password' };
  before(async () => {
    ({ server, app } = await startOidcSetup({ postLogin: port, users: [erin] }));
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: 'https://api.example.com/',
      name: 'API',
      scopes: [{ value: 'read:things', description: 'Read' }],
    });
  });
  after(() => server.stop());

  it('merges its claims into the ID token and the access token, and keeps them after a refresh', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), erin, {
      audience: 'https://api.example.com/',
      scope: 'openid offline_access read:things',
    });
    const transaction = seen.at(-1)!;
    assert.equal(transaction.clientId, app.clientId);
    assert.equal(transaction.audience, 'https://api.example.com/');
    assert.equal(transaction.protocol, 'oidc-basic-profile');
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    const id = (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    assert.deepEqual(id['https://example.com/roles'], ['admin']);
    assert.equal(id.favourite_colour, 'teal');
    assert.equal(id.sub, transaction.userId, 'a protected claim is never overridden');
    const access = (await jwtVerify(tokens.access_token, jwks, { audience: 'https://api.example.com/' }))
      .payload;
    assert.equal(access['https://example.com/tier'], 'gold');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const idAfter = (await jwtVerify(refreshed.id_token!, jwks, { audience: app.clientId })).payload;
    assert.deepEqual(idAfter['https://example.com/roles'], ['admin'], 'the claims live with the grant');
    const accessAfter = (
      await jwtVerify(refreshed.access_token, jwks, { audience: 'https://api.example.com/' })
    ).payload;
    assert.equal(accessAfter['https://example.com/tier'], 'gold');
  });

  it('runs on an SSO login too, and a denial reaches the app as error=access_denied', async () => {
    const browser = new Browser(server.issuer);
    const config = await discover(server, app.clientId, app.clientSecret);
    await loginWithCode(server, config, browser, erin);
    const before = seen.length;
    deny = true;
    try {
      const sso = await browser.follow(
        `${server.issuer}authorize?${new URLSearchParams({ client_id: app.clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT_URI, state: 'st', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' })}`,
      );
      const callback = new URL(sso.url);
      assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('error_description'), 'Not on weekends');
      assert.equal(callback.searchParams.get('state'), 'st');
      assert.ok(seen.length > before, 'the port ran for the SSO login');
    } finally {
      deny = false;
    }
  });
});
