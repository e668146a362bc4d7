import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  loginWithCode,
  type OidcTestServer,
  startOidcSetup,
} from './helpers.ts';

const API = 'https://orders.example.com/';
const BYE = 'https://app.example.com/bye';

/**
 * docs/security.md#46 (and #14, #27): a JWT access token for an API that also serves `/userinfo`
 * (`aud: [api, <issuer>userinfo]`, Auth0's shape) is refused there, as an opaque one is, once its
 * grant is revoked (a replayed code, logout, revocation of the refresh token: RFC 7009 §2.1) or,
 * for a token bound to the browser session (no offline_access), once that session is gone. The API
 * itself still verifies the token offline; only Tessera's own endpoint looks the grant up.
 */
describe('JWT access tokens at /userinfo after their grant or session ends', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  const omar = { username: 'omar@example.com', password: 'omar has a good password' };
  const ONLINE = { scope: 'openid profile email', audience: API };
  const OFFLINE = { scope: 'openid profile email offline_access', audience: API };
  before(async () => {
    ({ server, app, config } = await startOidcSetup({ users: [omar] }));
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'Orders API',
      scopes: [{ value: 'read:orders', description: 'Read your orders' }],
    });
  });
  after(() => server.stop());

  /** A raw /userinfo call, as any app makes it with the token it holds. */
  async function userinfo(accessToken: string) {
    const response = await fetch(`${server.issuer}userinfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, headers: response.headers, body };
  }

  async function assertServed(accessToken: string, message: string) {
    const answer = await userinfo(accessToken);
    assert.equal(answer.status, 200, `${message}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.email, omar.username);
  }

  /** RFC 6750 §3.1: 401 invalid_token with a Bearer challenge, the same for every reason. */
  async function assertRefused(accessToken: string, message: string) {
    const answer = await userinfo(accessToken);
    assert.equal(answer.status, 401, message);
    assert.deepEqual(answer.body, { error: 'invalid_token', error_description: 'invalid token provided' });
    assert.equal(
      answer.headers.get('www-authenticate'),
      `Bearer realm="${server.issuer}", error="invalid_token", error_description="invalid token provided"`,
    );
  }

  /** Logs in, checks that the access token is the API's JWT that also names /userinfo, and that it serves. */
  async function signedIn(params: Record<string, string>, browser = new Browser(server.issuer)) {
    const tokens = await loginWithCode(server, config, browser, omar, params);
    assert.deepEqual(decodeJwt(tokens.access_token).aud, [API, `${server.issuer}userinfo`]);
    await assertServed(tokens.access_token, 'a fresh token works');
    return { browser, tokens };
  }

  it('refuses the token issued from a code that was then redeemed again (RFC 6749 §4.1.2)', async () => {
    const browser = new Browser(server.issuer);
    const request = await authorizationRequest(config, ONLINE);
    const start = await browser.follow(request.url.href);
    const back = await browser.login(start.url, omar.username, omar.password);
    const tokens = await request.redeem(back.url);
    await assertServed(tokens.access_token, 'before the replay');

    await assert.rejects(request.redeem(back.url), { error: 'invalid_grant' });
    await assertRefused(tokens.access_token, 'the replay revoked the grant');
    await signedIn(ONLINE);
  });

  it('refuses it after Auth0 logout at /v2/logout', async () => {
    const { browser, tokens } = await signedIn(ONLINE);
    const logout = await browser.fetch(`${server.issuer}v2/logout?client_id=${app.clientId}&returnTo=${BYE}`);
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), BYE);
    await assertRefused(tokens.access_token, 'logout ended the session and revoked its grant');
    await signedIn(ONLINE);
  });

  it('refuses it after RP-initiated logout at /oidc/logout', async () => {
    const { browser, tokens } = await signedIn(ONLINE);
    // A hint of this session: Auth0 logs out at once, with no confirmation page.
    const done = await browser.fetch(
      `${server.issuer}oidc/logout?${new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE })}`,
    );
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), BYE);
    await assertRefused(tokens.access_token, 'logout ended the session and revoked its grant');
    await signedIn(ONLINE);
  });

  it('refuses it once the refresh token of its grant is revoked at /oauth/revoke (RFC 7009 §2.1)', async () => {
    const { tokens } = await signedIn(OFFLINE);
    assert.ok(tokens.refresh_token);
    await oidc.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    await assertRefused(tokens.access_token, 'revoking the refresh token revoked its grant');
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), { error: 'invalid_grant' });
    await signedIn(OFFLINE);
  });

  it('refuses a session-bound token once its session has expired, though its grant still stands', async () => {
    const { browser, tokens } = await signedIn(ONLINE);
    const sessionId = browser.cookies.get('tessera_session');
    assert.ok(sessionId);
    // Ages the session in place, as expiry.test.ts does: the store still holds it, its exp has passed.
    const key = `t:${server.tenantId}:oidc:Session:id:${sessionId}`;
    const raw = await server.kv.get(key);
    assert.ok(raw, 'the session is stored');
    const exp = Math.floor(Date.now() / 1000) - 120;
    await server.kv.set(key, JSON.stringify({ ...JSON.parse(raw), exp }), await server.kv.ttl(key));
    await assertRefused(tokens.access_token, 'the session it was bound to is over');
    const { tessera_grant: grantId, tessera_session: sessionUid } = decodeJwt(tokens.access_token);
    assert.equal(typeof sessionUid, 'string', 'the token names its session');
    assert.ok(
      await server.storage.oidcRecords.find(server.tenantId, 'Grant', String(grantId)),
      'the grant still stands: only the session refuses the token',
    );
    await signedIn(ONLINE);
  });

  it('refuses a token the tenant signed that names no grant, or a grant of another user', async () => {
    const { tokens } = await signedIn(OFFLINE);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(typeof claims.tessera_grant, 'string', 'the token names its grant');
    assert.equal(claims.tessera_session, undefined, 'an offline_access token is bound to no session');

    const key = (await server.storage.signingKeys.list(server.tenantId)).find(
      (k) => k.use === 'sig' && k.state === 'current',
    );
    assert.ok(key && key.use === 'sig');
    const resign = (payload: Record<string, unknown>) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .sign(key.privateKey);
    await assertServed(await resign(claims), 'the control: the same claims re-signed');

    const { tessera_grant: _grant, ...unnamed } = claims;
    await assertRefused(await resign(unnamed), 'a token issued before tokens named their grant');
    const other = await server.storage.users.create(server.tenantId, {
      email: 'other@example.com',
      password: 'other has a good password',
    });
    await assertRefused(await resign({ ...claims, sub: other.user_id }), 'the grant is not this user’s');
    await assertRefused(await resign({ ...claims, tessera_session: 42 }), 'a session claim that is no uid');
    await assertRefused(
      await resign({ ...claims, tessera_session: 'no-such-session' }),
      'an unknown session',
    );
  });
});
