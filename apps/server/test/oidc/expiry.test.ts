import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
 * docs/security.md#37: an expired interaction, code, session or refresh token is refused even while the
 * store still holds it. Waiting out real lifetimes (60 s codes, 1 h interactions) would make the suite
 * slow and fake timers cannot reach the server's store, so each test ages one record in place: its
 * `exp` (or its row's expiry) is moved into the past while the store keeps it alive.
 */
describe('expired records are refused even when the store still holds them', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const hana = { username: 'hana@example.com', password: 'hana has a good password' };
  let hanaId: string;
  before(async () => {
    ({
      server,
      app,
      users: [{ user_id: hanaId }],
    } = await startOidcSetup({ users: [hana] }));
  });
  after(() => server.stop());

  /** oidc-provider's own clock tolerance is 15 s; two minutes in the past is expired beyond doubt. */
  const PAST = 120;
  const kvKey = (model: string, id: string) => `t:${server.tenantId}:oidc:${model}:id:${id}`;

  /**
   * Rewrites a short-lived record's `exp` (seconds from now) in the KV store, keeping the key alive as
   * long as before; the tests move it into the past, their controls keep it in the future.
   */
  async function setExpInKv(model: string, id: string, fromNow: number) {
    const key = kvKey(model, id);
    const raw = await server.kv.get(key);
    assert.ok(raw, `the ${model} is stored`);
    const payload = JSON.parse(raw) as { iat: number; exp: number };
    const exp = Math.floor(Date.now() / 1000) + fromNow;
    const iat = Math.min(payload.iat, exp - 60);
    await server.kv.set(key, JSON.stringify({ ...payload, iat, exp }), await server.kv.ttl(key));
    assert.ok(await server.kv.get(key), `the ${model} is still held by the store`);
    assert.ok(((await server.kv.ttl(key)) ?? 0) > 30_000, 'and would be for a while yet');
  }
  const expireInKv = (model: string, id: string) => setExpInKv(model, id, -PAST);

  const authorizeUrl = async (params: Record<string, string> = {}) =>
    `${server.issuer}authorize?${new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile',
      state: 'st',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      ...params,
    })}`;

  /** Starts a login and reads its form: the interaction uid (the page's `state`) and the CSRF token. */
  async function startLogin(browser: Browser) {
    const start = await browser.follow(await authorizeUrl());
    assert.match(start.url, /\/u\/login\?state=/);
    const uid = new URL(start.url).searchParams.get('state')!;
    const html = await (await browser.fetch(start.url)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(csrf);
    return { loginUrl: start.url, uid, csrf };
  }

  const postCredentials = (browser: Browser, loginUrl: string, csrf: string) =>
    browser.fetch(loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: hana.username, password: hana.password }),
    });

  /** A refusal a person reads: an HTML error page, no redirect anywhere, no session started. */
  async function assertRefusedPage(response: Response, status: number, browser: Browser) {
    assert.equal(response.status, status);
    assert.equal(response.headers.get('location'), null, 'never a redirect');
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const body = await response.text();
    assert.doesNotMatch(body, /name="password"/, 'not a login form');
    assert.doesNotMatch(body, /[?&]code=/, 'no code anywhere in the page');
    assert.equal(browser.cookies.get('tessera_session'), undefined, 'no session was started');
  }

  const loginsCount = async () =>
    (await server.storage.users.findById(server.tenantId, hanaId))?.logins_count ?? 0;

  it('refuses an authorization code past its exp with invalid_grant', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const codeFor = async (verifier: string) => {
      const browser = new Browser(server.issuer);
      const start = await browser.follow(
        await authorizeUrl({ code_challenge: await oidc.calculatePKCECodeChallenge(verifier) }),
      );
      const done = await browser.login(start.url, hana.username, hana.password);
      const callback = new URL(done.url);
      assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
      return callback;
    };

    const verifier = oidc.randomPKCECodeVerifier();
    const expired = await codeFor(verifier);
    await expireInKv('AuthorizationCode', expired.searchParams.get('code')!);
    await assert.rejects(
      oidc.authorizationCodeGrant(config, expired, { pkceCodeVerifier: verifier, expectedState: 'st' }),
      { error: 'invalid_grant' },
    );

    // The control: the same rewrite with a future exp leaves the code redeemable.
    const fresh = await codeFor(verifier);
    await setExpInKv('AuthorizationCode', fresh.searchParams.get('code')!, 30);
    const tokens = await oidc.authorizationCodeGrant(config, fresh, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
    });
    assert.ok(tokens.id_token);
  });

  it('refuses an expired interaction: the login page, its POST and the resume all fail, nothing is committed', async () => {
    const browser = new Browser(server.issuer);
    const { loginUrl, uid, csrf } = await startLogin(browser);
    const before = await loginsCount();
    await expireInKv('Interaction', uid);

    await assertRefusedPage(await browser.fetch(loginUrl), 403, browser);
    await assertRefusedPage(await postCredentials(browser, loginUrl, csrf), 403, browser);
    await assertRefusedPage(await browser.fetch(`${server.issuer}authorize/${uid}`), 400, browser);
    assert.equal(await loginsCount(), before, 'the refused login was not recorded');
  });

  it('refuses to resume an interaction that expired after the password was accepted', async () => {
    const browser = new Browser(server.issuer);
    const { loginUrl, uid, csrf } = await startLogin(browser);
    const accepted = await postCredentials(browser, loginUrl, csrf);
    assert.equal(accepted.status, 303);
    const resume = new URL(accepted.headers.get('location')!, server.issuer).href;
    assert.equal(resume, `${server.issuer}authorize/${uid}`);

    await expireInKv('Interaction', uid);
    await assertRefusedPage(await browser.fetch(resume), 400, browser);

    const silent = await browser.fetch(await authorizeUrl({ prompt: 'none' }));
    assert.equal(
      new URL(silent.headers.get('location')!).searchParams.get('error'),
      'login_required',
      'the abandoned login left no session behind',
    );
  });

  it('answers /u/login for an interaction that no longer exists with an error page, and nothing resumes', async () => {
    const browser = new Browser(server.issuer);
    const { loginUrl, uid, csrf } = await startLogin(browser);
    assert.equal(await server.kv.delete(kvKey('Interaction', uid)), true);

    await assertRefusedPage(await browser.fetch(loginUrl), 403, browser);
    await assertRefusedPage(await postCredentials(browser, loginUrl, csrf), 403, browser);
    await assertRefusedPage(await browser.fetch(`${server.issuer}authorize/${uid}`), 400, browser);

    // No login was started in this browser (a bookmark): a 400 page that says so.
    const stranger = new Browser(server.issuer);
    await assertRefusedPage(
      await stranger.fetch(`${server.issuer}u/login?state=${'x'.repeat(21)}`),
      400,
      stranger,
    );
    await assertRefusedPage(await stranger.fetch(`${server.issuer}u/login`), 400, stranger);
  });

  it('treats a session past its exp as no session: prompt=none gets login_required, a plain request the login page', async () => {
    const browser = new Browser(server.issuer);
    const config = await discover(server, app.clientId, app.clientSecret);
    await loginWithCode(server, config, browser, hana, { scope: 'openid profile' });
    const sessionId = browser.cookies.get('tessera_session');
    assert.ok(sessionId);
    const sso = await browser.fetch(await authorizeUrl({ prompt: 'none' }));
    assert.ok(new URL(sso.headers.get('location')!).searchParams.get('code'), 'SSO works while it is fresh');

    await expireInKv('Session', sessionId);
    const silent = await browser.fetch(await authorizeUrl({ prompt: 'none', state: 'silent' }));
    const location = new URL(silent.headers.get('location')!);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('error'), 'login_required');
    assert.equal(location.searchParams.get('state'), 'silent');
    assert.equal(location.searchParams.get('code'), null);
    const interactive = await browser.follow(await authorizeUrl());
    assert.match(interactive.url, /\/u\/login\?state=/, 'a new login, not an SSO redirect');
  });

  it('refuses a refresh token past its exp, one whose row has expired, and one whose grant has expired', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const records = server.storage.oidcRecords;

    // 1. The row is live (Postgres keeps it for days) but the token's own exp has passed.
    const first = await loginWithCode(server, config, new Browser(server.issuer), hana);
    const stored = await records.find(server.tenantId, 'RefreshToken', first.refresh_token!);
    assert.ok(stored, 'the refresh token is stored');
    const exp = Math.floor(Date.now() / 1000) - PAST;
    await records.upsert(server.tenantId, 'RefreshToken', first.refresh_token!, { ...stored, exp }, 86_400);
    assert.ok(await records.find(server.tenantId, 'RefreshToken', first.refresh_token!), 'still stored');
    await assert.rejects(oidc.refreshTokenGrant(config, first.refresh_token!), { error: 'invalid_grant' });

    // 2. The payload still says valid, but the row's expiry has passed and the sweep has not run yet.
    const second = await loginWithCode(server, config, new Browser(server.issuer), hana);
    const payload = await records.find(server.tenantId, 'RefreshToken', second.refresh_token!);
    assert.ok(payload && Number(payload.exp) > Date.now() / 1000);
    await records.upsert(server.tenantId, 'RefreshToken', second.refresh_token!, payload, -PAST);
    await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token!), { error: 'invalid_grant' });

    // 3. The token is fine, but the grant it belongs to has expired (Auth0's grant lifetime).
    const fourth = await loginWithCode(server, config, new Browser(server.issuer), hana);
    const grantId = String(
      (await records.find(server.tenantId, 'RefreshToken', fourth.refresh_token!))?.grantId,
    );
    const grant = await records.find(server.tenantId, 'Grant', grantId);
    assert.ok(grant, 'the grant is stored');
    await records.upsert(server.tenantId, 'Grant', grantId, grant, -PAST);
    await assert.rejects(oidc.refreshTokenGrant(config, fourth.refresh_token!), { error: 'invalid_grant' });

    // The control: the same rewrite with a live row and a future exp leaves the token usable.
    const third = await loginWithCode(server, config, new Browser(server.issuer), hana);
    const live = await records.find(server.tenantId, 'RefreshToken', third.refresh_token!);
    await records.upsert(server.tenantId, 'RefreshToken', third.refresh_token!, live!, 86_400);
    assert.ok((await oidc.refreshTokenGrant(config, third.refresh_token!)).access_token);
  });
});
