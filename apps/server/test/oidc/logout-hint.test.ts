import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import {
  type Browser,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
  WebBrowser,
} from './helpers.ts';

const BYE = 'https://app.example.com/bye';
const SESSION = 'tessera_session';

/**
 * Auth0's `/oidc/logout`: an `id_token_hint` issued in the browser's current session ends that session
 * at once, with no confirmation page and no script, straight back to the post_logout_redirect_uri with
 * `state`; a hint of another session or another user asks for confirmation (Auth0's logout prompt
 * rules), and a hint that does not verify is an error page (logout.test.ts). docs/security.md#27.
 * The logout URL is built by openid-client's `buildEndSessionUrl`, as an app would.
 */
describe('/oidc/logout with an id_token_hint of this session logs out at once', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  const ivan = { username: 'ivan@example.com', password: 'ivan has a good password' };
  const olga = { username: 'olga@example.com', password: 'olga has a good password' };
  before(async () => {
    ({ server, app, config } = await startOidcSetup({ users: [ivan, olga] }));
  });
  after(() => server.stop());

  async function signedIn(
    who = ivan,
    browser: Browser = new WebBrowser(server.issuer),
    scope = 'openid profile',
  ) {
    const tokens = await loginWithCode(server, config, browser, who, { scope });
    const sessionId = browser.cookies.get(SESSION);
    assert.ok(sessionId, 'a session cookie');
    assert.equal(typeof decodeJwt(tokens.id_token!).sid, 'string', 'the ID token names its session');
    return { browser, tokens, sessionId, sub: String(tokens.claims()!.sub) };
  }

  const endSessionUrl = (params: Record<string, string>) => oidc.buildEndSessionUrl(config, params).href;

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
    return location.searchParams.get('code') ? 'code' : location.searchParams.get('error');
  }

  const sessionStored = async (sessionId: string) =>
    (await server.kv.get(`t:${server.tenantId}:oidc:Session:id:${sessionId}`)) !== undefined;

  /** The session is over: cookie cleared, record gone, no silent login, the online access token dead. */
  async function assertLoggedOut(session: Awaited<ReturnType<typeof signedIn>>) {
    assert.equal(session.browser.cookies.get(SESSION), undefined, 'the session cookie is cleared');
    assert.equal(await sessionStored(session.sessionId), false, 'the session record is gone');
    assert.equal(await silentAuthorize(session.browser), 'login_required');
    await assert.rejects(
      oidc.fetchUserInfo(config, session.tokens.access_token, session.sub),
      (error: oidc.WWWAuthenticateChallengeError) => error.response?.status === 401,
      'the session-bound access token died with the session',
    );
  }

  /** Auth0's logout prompt: our confirmation page with oidc-provider's xsrf token, nothing ended yet. */
  async function assertConfirmationPage(response: Response) {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('location'), null);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    assert.match(html, /name="xsrf" value="[^"]+"/, 'the confirmation form');
  }

  it('with post_logout_redirect_uri and state: a redirect straight back there with the state, no page', async () => {
    const session = await signedIn();
    assert.ok(await oidc.fetchUserInfo(config, session.tokens.access_token, session.sub), 'the control');
    const response = await session.browser.fetch(
      endSessionUrl({
        id_token_hint: session.tokens.id_token!,
        post_logout_redirect_uri: BYE,
        state: 'bye-state',
      }),
    );
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${BYE}?state=bye-state`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(
      await response.text(),
      /<form|<script/i,
      'nothing to submit: works without JavaScript',
    );
    await assertLoggedOut(session);
  });

  it('without post_logout_redirect_uri: straight to the logged-out page', async () => {
    const session = await signedIn();
    const response = await session.browser.fetch(endSessionUrl({ id_token_hint: session.tokens.id_token! }));
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location')!, server.issuer).href;
    assert.equal(location, `${server.issuer}oidc/logout/success`);
    const page = await session.browser.fetch(location);
    assert.equal(page.status, 200);
    await assertLoggedOut(session);
  });

  it('keeps offline_access refresh tokens working, as Auth0 does, and kills the rest', async () => {
    const session = await signedIn(ivan, new WebBrowser(server.issuer), 'openid profile offline_access');
    assert.ok(session.tokens.refresh_token);
    const response = await session.browser.fetch(endSessionUrl({ id_token_hint: session.tokens.id_token! }));
    assert.equal(response.status, 303);
    assert.equal(await silentAuthorize(session.browser), 'login_required');
    const refreshed = await oidc.refreshTokenGrant(config, session.tokens.refresh_token);
    assert.ok(refreshed.access_token);
  });

  it('a hint of an earlier session of this browser, of another browser or of another user: asks for confirmation', async () => {
    const current = await signedIn();

    // The same user's ID token from a login in another browser (another session).
    const elsewhere = await signedIn(ivan, new WebBrowser(server.issuer));
    // Another user's ID token.
    const other = await signedIn(olga, new WebBrowser(server.issuer));
    // An ID token of this browser's earlier session (logged out, then logged in again).
    const earlier = await signedIn();
    assert.equal((await earlier.browser.fetch(`${server.issuer}v2/logout`)).status, 302);
    await signedIn(ivan, earlier.browser);

    for (const [name, hint, browser] of [
      ['another session of the same user', elsewhere.tokens.id_token!, current.browser],
      ['another user', other.tokens.id_token!, current.browser],
      ['an earlier session of this browser', earlier.tokens.id_token!, earlier.browser],
    ] as const) {
      const response = await browser.fetch(
        endSessionUrl({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 's' }),
      );
      await assertConfirmationPage(response);
      assert.equal(await silentAuthorize(browser), 'code', `${name}: the session lives`);
    }
    assert.equal(await silentAuthorize(elsewhere.browser), 'code', 'the hint’s own session is untouched');
    assert.equal(await silentAuthorize(other.browser), 'code');
  });

  it('a hint whose sid was altered, even re-signed by nobody: an error page, never a logout', async () => {
    const session = await signedIn();
    const [header, payload, signature] = session.tokens.id_token!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sid: 'x' })).toString('base64url')}.${signature}`;
    const response = await session.browser.fetch(endSessionUrl({ id_token_hint: altered }));
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.equal(await silentAuthorize(session.browser), 'code', 'the session lives');
  });

  it('without a hint: still the confirmation page (Auth0 prompts then)', async () => {
    const session = await signedIn();
    await assertConfirmationPage(
      await session.browser.fetch(endSessionUrl({ client_id: app.clientId, post_logout_redirect_uri: BYE })),
    );
    assert.equal(await silentAuthorize(session.browser), 'code');
  });
});
