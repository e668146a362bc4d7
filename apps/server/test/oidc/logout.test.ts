import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import {
  type Browser,
  createApp,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
  WebBrowser,
} from './helpers.ts';

const BYE = 'https://app.example.com/bye';

/**
 * OIDC RP-Initiated Logout 1.0 at `/oidc/logout` (the end_session_endpoint of discovery), and
 * docs/security.md#27: after it the session is gone and the tokens bound to it stop working.
 */
describe('RP-initiated logout at /oidc/logout', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  const ivan = { username: 'ivan@example.com', password: 'ivan has a good password' };
  before(async () => {
    ({ server, app, config } = await startOidcSetup({ users: [ivan] }));
  });
  after(() => server.stop());

  const SESSION = 'tessera_session';
  const logoutUrl = (params: Record<string, string> = {}) =>
    `${server.issuer}oidc/logout${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;

  async function signedIn(scope = 'openid profile') {
    const browser = new WebBrowser(server.issuer);
    const tokens = await loginWithCode(server, config, browser, ivan, { scope });
    const sessionId = browser.cookies.get(SESSION);
    assert.ok(sessionId, 'a session cookie');
    return { browser, tokens, sessionId, sub: String(tokens.claims()!.sub) };
  }

  /** The confirmation page: our page, posting oidc-provider's xsrf value to its confirm endpoint. */
  async function confirmationPage(response: Response) {
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('location'), null);
    const html = await response.text();
    const action = /<form[^>]+action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && xsrf, 'a form with the xsrf token');
    assert.equal(new URL(action, server.issuer).href, `${server.issuer}oidc/logout/confirm`);
    assert.match(html, /name="logout" value="yes"/, 'the confirm button ends the whole session');
    return { action, xsrf, html };
  }

  const post = (browser: Browser, action: string, fields: Record<string, string>) =>
    browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });

  /** prompt=none at /authorize: a code while the session lives, login_required once it is gone. */
  async function silentAuthorize(browser: Browser) {
    const response = await browser.fetch(
      `${server.issuer}authorize?${new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        state: 'silent',
        prompt: 'none',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })}`,
    );
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('state'), 'silent');
    return location.searchParams.get('code') ? 'code' : location.searchParams.get('error');
  }

  const sessionStored = async (sessionId: string) =>
    (await server.kv.get(`t:${server.tenantId}:oidc:Session:id:${sessionId}`)) !== undefined;

  it('with an id_token_hint of this session and a registered post_logout_redirect_uri: ends the session at once, returns with the state', async () => {
    const { browser, tokens, sessionId, sub } = await signedIn();
    assert.ok(await oidc.fetchUserInfo(config, tokens.access_token, sub), 'the access token works');

    // Auth0 asks for no confirmation then (logout-hint.test.ts has the other hints).
    const done = await browser.fetch(
      logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE, state: 'bye-state' }),
    );
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${BYE}?state=bye-state`);
    assert.equal(browser.cookies.get(SESSION), undefined, 'the session cookie is cleared');
    assert.equal(await sessionStored(sessionId), false, 'the session record is gone');

    assert.equal(await silentAuthorize(browser), 'login_required');
    await assert.rejects(
      oidc.fetchUserInfo(config, tokens.access_token, sub),
      (error: oidc.WWWAuthenticateChallengeError) => {
        assert.equal(error.response?.status, 401);
        return true;
      },
      'the session-bound access token died with the session',
    );
  });

  it('with an unregistered or altered post_logout_redirect_uri: an error page, never a redirect, the session lives', async () => {
    const { browser, tokens } = await signedIn();
    for (const target of [
      'https://evil.example.com/bye',
      `${BYE}?next=https://evil.example.com/`,
      `${BYE}/`,
    ]) {
      const response = await browser.fetch(
        logoutUrl({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: target, state: 's' }),
      );
      assert.equal(response.status, 400, target);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, /post_logout_redirect_uri/);
      assert.doesNotMatch(html, /evil\.example\.com/, 'the rejected URL is not echoed');
      assert.doesNotMatch(html, /name="xsrf"/, 'no confirmation form');
    }
    assert.equal(await silentAuthorize(browser), 'code', 'the session is untouched');
  });

  it('with a client_id that the id_token_hint does not name, or a hint that does not verify: an error page', async () => {
    const { browser, tokens } = await signedIn();
    const other = await createApp(server);
    const mismatch = await browser.fetch(
      logoutUrl({
        id_token_hint: tokens.id_token!,
        client_id: other.clientId,
        post_logout_redirect_uri: BYE,
      }),
    );
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.headers.get('location'), null);
    assert.match(mismatch.headers.get('content-type') ?? '', /^text\/html/);

    const [header, payload] = tokens.id_token!.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    const tampered = await browser.fetch(logoutUrl({ id_token_hint: forged, post_logout_redirect_uri: BYE }));
    assert.equal(tampered.status, 400);
    assert.equal(tampered.headers.get('location'), null);
    assert.match(tampered.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await silentAuthorize(browser), 'code');
  });

  it('without a hint: asks for confirmation, then ends the session and shows the logged-out page (an unverifiable post_logout_redirect_uri is ignored)', async () => {
    const { browser, sessionId } = await signedIn();
    const page = await confirmationPage(
      await browser.fetch(logoutUrl({ post_logout_redirect_uri: 'https://evil.example.com/' })),
    );
    const done = await post(browser, page.action, { xsrf: page.xsrf, logout: 'yes' });
    assert.equal(done.status, 303);
    const location = new URL(done.headers.get('location')!, server.issuer).href;
    assert.equal(location, `${server.issuer}oidc/logout/success`, 'never the unverified URL');
    const success = await browser.fetch(location);
    assert.equal(success.status, 200);
    assert.match(success.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(browser.cookies.get(SESSION), undefined);
    assert.equal(await sessionStored(sessionId), false);
    assert.equal(await silentAuthorize(browser), 'login_required');
  });

  it('with client_id instead of a hint: follows a post_logout_redirect_uri registered for that client', async () => {
    const { browser } = await signedIn();
    const page = await confirmationPage(
      await browser.fetch(logoutUrl({ client_id: app.clientId, post_logout_redirect_uri: BYE, state: 'c' })),
    );
    assert.match(page.html, /Test App/, 'names the app asking');
    const done = await post(browser, page.action, { xsrf: page.xsrf, logout: 'yes' });
    assert.equal(done.headers.get('location'), `${BYE}?state=c`);
    assert.equal(await silentAuthorize(browser), 'login_required');
  });

  it('keeps the session when the confirmation is declined, or posted with a wrong or foreign xsrf', async () => {
    const { browser, sessionId } = await signedIn();
    const page = await confirmationPage(await browser.fetch(logoutUrl()));

    const forged = await post(browser, page.action, { xsrf: 'not-the-token', logout: 'yes' });
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.get('location'), null);
    assert.match(forged.headers.get('content-type') ?? '', /^text\/html/);

    // Cross-site request forgery: another browser's page (its own xsrf), posted with the victim's cookies.
    const attacker = new WebBrowser(server.issuer);
    const attackerPage = await attacker.fetch(logoutUrl());
    const attackerXsrf = /name="xsrf" value="([^"]+)"/.exec(await attackerPage.text())?.[1];
    assert.ok(attackerXsrf);
    const foreign = await post(browser, page.action, { xsrf: attackerXsrf, logout: 'yes' });
    assert.equal(foreign.status, 400);

    const declined = await post(browser, page.action, { xsrf: page.xsrf });
    assert.equal(declined.status, 303);
    assert.equal(browser.cookies.get(SESSION), sessionId);
    assert.equal(await sessionStored(sessionId), true);
    assert.equal(await silentAuthorize(browser), 'code', 'still signed in');
  });

  it('without a session: confirms by itself and lands on the logged-out page', async () => {
    const browser = new WebBrowser(server.issuer);
    const response = await browser.fetch(logoutUrl());
    assert.equal(response.status, 200);
    const html = await response.text();
    // oidc-provider's self-submitting form: its inline script must be allowed by the page's CSP.
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(
      csp,
      /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/,
      'the auto-submit script is allowed by hash',
    );
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && xsrf);
    const done = await post(browser, action, { xsrf, logout: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(
      new URL(done.headers.get('location')!, server.issuer).href,
      `${server.issuer}oidc/logout/success`,
    );
  });

  it('kills session-bound tokens (docs/security.md#27) and keeps offline_access refresh tokens, as Auth0 does', async () => {
    // Only offline_access grants get a refresh token; everything else of a login is session-bound.
    const online = await signedIn('openid profile');
    assert.equal(online.tokens.refresh_token, undefined, 'no refresh token without offline_access');
    const offline = await signedIn('openid profile offline_access');
    assert.ok(offline.tokens.refresh_token);

    for (const { browser, tokens } of [online, offline]) {
      const done = await browser.fetch(logoutUrl({ id_token_hint: tokens.id_token! }));
      assert.equal(done.status, 303, 'a hint of this session: logged out at once');
      assert.equal(await silentAuthorize(browser), 'login_required');
    }

    await assert.rejects(
      oidc.fetchUserInfo(config, online.tokens.access_token, online.sub),
      'the online access token died with its session',
    );
    const introspect = async (token: string) => (await oidc.tokenIntrospection(config, token)).active;
    assert.equal(await introspect(online.tokens.access_token), false);

    // Auth0: a refresh token issued for offline access is not bound to the browser session.
    const refreshed = await oidc.refreshTokenGrant(config, offline.tokens.refresh_token!);
    assert.ok(refreshed.access_token && refreshed.id_token);
  });
});
