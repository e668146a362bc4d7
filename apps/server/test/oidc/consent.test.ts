import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  formOf,
  loginWithCode,
  type OidcTestServer,
  postForm,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

const API = 'https://api.example.com/';

/** The `<code>` scope values a consent page lists. */
const listedScopes = (html: string) => [...html.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);

describe('consent: third-party apps ask, first-party apps never do', () => {
  let server: OidcTestServer;
  let thirdParty: { clientId: string; clientSecret: string };
  let firstParty: { clientId: string; clientSecret: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const carol = { username: 'carol@example.com', password: 'carol has a long password' };

  before(async () => {
    ({ server, app: thirdParty } = await startOidcSetup({
      app: { isFirstParty: false },
      users: [{ ...carol, name: 'Carol' }],
    }));
    firstParty = await createApp(server, { isFirstParty: true });
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'Things API',
      scopes: [
        { value: 'read:things', description: 'Read your things' },
        { value: 'write:things', description: 'Change your things' },
      ],
    });
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
  });
  after(() => server.stop());

  /**
   * Starts a login for the third-party app and, unless the browser already has a session, enters the
   * password: the browser is then on the consent page.
   */
  async function untilConsent(browser: Browser, params: Record<string, string> = {}, loggedIn = false) {
    const config = await discover(server, thirdParty.clientId, thirdParty.clientSecret);
    const request = await authorizationRequest(config, params);
    let shown = await browser.follow(request.url.href);
    assert.equal(shown.response.status, 200, `a page (${shown.url})`);
    if (!loggedIn) {
      assert.equal(new URL(shown.url).pathname, '/u/login', `the login page first, got ${shown.url}`);
      shown = await browser.login(shown.url, carol.username, carol.password);
    }
    const consentUrl = new URL(shown.url);
    assert.equal(consentUrl.origin, new URL(server.issuer).origin);
    assert.equal(consentUrl.pathname, '/u/consent', `the consent page, got ${shown.url}`);
    assert.equal(shown.response.status, 200, 'the consent page is shown');
    assert.equal(shown.response.headers.get('cache-control'), 'no-store');
    const html = await shown.response.text();
    return { ...request, config, consentUrl, html, ...formOf(html) };
  }

  it('shows the consent page after the password, listing the requested scopes and the API', async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser, {
      scope: 'openid profile email read:things',
      audience: API,
    });
    assert.ok(consent.consentUrl.searchParams.get('state'), 'the page names its transaction');
    assert.deepEqual(listedScopes(consent.html).sort(), ['email', 'openid', 'profile', 'read:things']);
    assert.match(consent.html, /Authorize Test App/);
    assert.match(consent.html, /See your email address/);
    assert.ok(consent.html.includes(`For the API ${API}.`), 'the page names the API');
    assert.match(consent.html, /name="action" value="accept"/);
    assert.match(consent.html, /name="action" value="deny"/);
    assert.ok(
      consent.action.startsWith(`/u/consent?state=${consent.consentUrl.searchParams.get('state')}`),
      'the form posts to the same transaction',
    );
  });

  it("describes an API scope with the API's own description", async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser, { scope: 'openid read:things', audience: API });
    assert.deepEqual(listedScopes(consent.html).sort(), ['openid', 'read:things']);
    assert.match(
      consent.html,
      /Read your things <code>read:things<\/code>/,
      'the resource server describes its scope (pages/consent.ts renders scope.description)',
    );
  });

  it('accept: the app gets a code, the tokens carry the consented scopes, and the grant is remembered', async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser, {
      scope: 'openid profile email read:things',
      audience: API,
    });
    const accepted = await postForm(browser, consent.action, { _csrf: consent.csrf, action: 'accept' });
    assert.ok(accepted.url.startsWith(REDIRECT_URI), `back at the app, got ${accepted.url}`);
    assert.ok(new URL(accepted.url).searchParams.get('code'));

    const tokens = await consent.redeem(accepted.url);
    assert.ok(String(tokens.scope).split(' ').includes('read:things'), `token scope: ${tokens.scope}`);
    const id = tokens.claims()!;
    assert.equal(id.email, carol.username);
    assert.equal(id.name, 'Carol');
    assert.equal(id.aud, thirdParty.clientId);
    const access = (await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience: API }))
      .payload;
    assert.ok(String(access.scope).split(' ').includes('read:things'), `access scope: ${access.scope}`);
    assert.equal(access.sub, id.sub);
    assert.equal(access.azp, thirdParty.clientId);
    assert.equal(tokens.refresh_token, undefined, 'no offline_access asked, no refresh token');

    // Same browser, same request: no login page and no consent page, straight back to the app.
    const again = await authorizationRequest(consent.config, {
      scope: 'openid profile email read:things',
      audience: API,
    });
    const sso = await browser.follow(again.url.href);
    assert.ok(sso.url.startsWith(REDIRECT_URI), `the grant is remembered, got ${sso.url}`);
    const second = await again.redeem(sso.url);
    assert.ok(String(second.scope).split(' ').includes('read:things'));
    assert.equal(second.claims()!.email, carol.username);
    assert.equal(second.claims()!.sub, id.sub);

    // A scope that was never consented to is asked for, and only it is listed.
    const more = await authorizationRequest(consent.config, {
      scope: 'openid profile email read:things write:things',
      audience: API,
    });
    const asked = await browser.follow(more.url.href);
    assert.equal(asked.response.status, 200);
    assert.equal(new URL(asked.url).pathname, '/u/consent');
    assert.deepEqual(listedScopes(await asked.response.text()), ['write:things']);
  });

  it("an API access token carries the consented OIDC scopes and serves /userinfo, as Auth0's does", async () => {
    // docs/oidc.md#behaviour, Tokens: `aud` = the API identifier plus `<issuer>userinfo` when `openid` was granted.
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser, {
      scope: 'openid profile email read:things',
      audience: API,
    });
    const accepted = await postForm(browser, consent.action, { _csrf: consent.csrf, action: 'accept' });
    const tokens = await consent.redeem(accepted.url);
    const access = (await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience: API }))
      .payload;
    assert.deepEqual(String(access.scope).split(' ').sort(), ['email', 'openid', 'profile', 'read:things']);
    assert.deepEqual(access.aud, [API, `${server.issuer}userinfo`]);
    assert.deepEqual(String(tokens.scope).split(' ').sort(), ['email', 'openid', 'profile', 'read:things']);
    const userinfo = await oidc.fetchUserInfo(consent.config, tokens.access_token, String(access.sub));
    assert.equal(userinfo.email, carol.username);
  });

  it('deny: the app receives error=access_denied and no grant is recorded', async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser);
    const denied = await postForm(browser, consent.action, { _csrf: consent.csrf, action: 'deny' });
    assert.ok(denied.url.startsWith(REDIRECT_URI), `back at the app, got ${denied.url}`);
    const callback = new URL(denied.url);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), consent.state);
    assert.equal(callback.searchParams.get('code'), null);
    await assert.rejects(consent.redeem(denied.url), (error: unknown) => {
      assert.ok(error instanceof oidc.AuthorizationResponseError);
      assert.equal(error.error, 'access_denied');
      return true;
    });

    // The next login (the session remains: no password) asks again: declining recorded nothing.
    const again = await untilConsent(browser, {}, true);
    assert.deepEqual(listedScopes(again.html).sort(), ['email', 'openid', 'profile']);
  });

  it('a consent post with a missing or wrong CSRF token is refused with a 403 page, and grants nothing', async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser);
    // A genuine token, but for another browser's transaction.
    const other = await untilConsent(new Browser(server.issuer));
    assert.notEqual(other.csrf, consent.csrf);

    for (const fields of [
      { action: 'accept' } as Record<string, string>,
      { _csrf: '', action: 'accept' },
      { _csrf: `${consent.csrf.slice(0, -2)}xx`, action: 'accept' },
      { _csrf: other.csrf, action: 'accept' },
    ]) {
      const refused = await postForm(browser, consent.action, fields);
      assert.equal(refused.response.status, 403, JSON.stringify(fields));
      assert.match(String(refused.response.headers.get('content-type')), /^text\/html/);
      assert.ok(!refused.url.startsWith(REDIRECT_URI));
      assert.match(await refused.response.text(), /The form has expired/);
    }

    // Nothing was granted: a silent request for the app needs consent, and the page still asks.
    const silent = await authorizationRequest(consent.config, { prompt: 'none' });
    const answer = await browser.follow(silent.url.href);
    assert.ok(answer.url.startsWith(REDIRECT_URI), `back at the app, got ${answer.url}`);
    assert.equal(new URL(answer.url).searchParams.get('error'), 'consent_required');
    const page = await browser.fetch(consent.consentUrl.href);
    assert.equal(page.status, 200);
    assert.deepEqual(listedScopes(await page.text()).sort(), ['email', 'openid', 'profile']);

    // The genuine token still works.
    const accepted = await postForm(browser, consent.action, { _csrf: consent.csrf, action: 'accept' });
    assert.ok(accepted.url.startsWith(REDIRECT_URI), `back at the app, got ${accepted.url}`);
    const tokens = await consent.redeem(accepted.url);
    assert.equal(tokens.claims()!.email, carol.username);
  });

  it('the consent page cannot skip the password: before login it leads back to the login page', async () => {
    const config = await discover(server, thirdParty.clientId, thirdParty.clientSecret);
    const request = await authorizationRequest(config);
    const browser = new Browser(server.issuer);
    const start = await browser.follow(request.url.href);
    assert.equal(new URL(start.url).pathname, '/u/login');
    const state = new URL(start.url).searchParams.get('state')!;
    // The login form's token is bound to the same transaction, so it is a valid token for /u/consent.
    const { csrf } = formOf(await start.response.text());

    const page = await browser.fetch(`/u/consent?state=${state}`);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `/u/login?state=${state}`);
    const posted = await browser.fetch(`/u/consent?state=${state}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, action: 'accept' }),
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get('location'), `/u/login?state=${state}`);
    // Still no session: a silent request is told to log in.
    const silent = await authorizationRequest(config, { prompt: 'none' });
    const answer = await browser.follow(silent.url.href);
    assert.equal(new URL(answer.url).searchParams.get('error'), 'login_required');
  });

  it('a third-party app asking for offline_access shows it on the consent page and gets a refresh token', async () => {
    const browser = new Browser(server.issuer);
    const consent = await untilConsent(browser, { scope: 'openid email offline_access' });
    assert.deepEqual(listedScopes(consent.html).sort(), ['email', 'offline_access', 'openid']);
    assert.match(consent.html, /Keep access while you are away/);
    const accepted = await postForm(browser, consent.action, { _csrf: consent.csrf, action: 'accept' });
    assert.ok(accepted.url.startsWith(REDIRECT_URI), `back at the app, got ${accepted.url}`);
    const tokens = await consent.redeem(accepted.url);
    assert.ok(tokens.refresh_token, 'offline_access consented: a refresh token');
    assert.ok(String(tokens.scope).split(' ').includes('offline_access'));
    const refreshed = await oidc.refreshTokenGrant(consent.config, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    assert.equal(refreshed.claims()?.sub, tokens.claims()!.sub);
  });

  it('a first-party app never shows the consent page, even for offline_access or prompt=consent', async () => {
    const config = await discover(server, firstParty.clientId, firstParty.clientSecret);
    const browser = new Browser(server.issuer);
    // loginWithCode asserts that the password page leads straight back to the app.
    const tokens = await loginWithCode(server, config, browser, carol, {
      scope: 'openid profile email offline_access',
    });
    assert.ok(tokens.refresh_token, 'offline_access gives a first-party app a refresh token');
    assert.equal(tokens.claims()!.email, carol.username);

    for (const params of [
      { scope: 'openid offline_access' } as Record<string, string>,
      { scope: 'openid email', prompt: 'consent' },
      { scope: 'openid read:things', audience: API },
    ]) {
      const request = await authorizationRequest(config, params);
      // Walk the redirects one by one: none may land on a page.
      let response = await browser.fetch(request.url.href);
      let current = request.url.href;
      while (response.status >= 300 && response.status < 400) {
        current = new URL(response.headers.get('location')!, current).href;
        if (current.startsWith(REDIRECT_URI)) break;
        assert.notEqual(new URL(current).pathname, '/u/login', JSON.stringify(params));
        response = await browser.fetch(current);
        assert.ok(
          response.status >= 300 && response.status < 400,
          `${JSON.stringify(params)}: a page was shown at ${current} (${response.status})`,
        );
      }
      assert.ok(current.startsWith(REDIRECT_URI), `${JSON.stringify(params)}: got ${current}`);
      const next = await request.redeem(current);
      if (params.scope!.includes('offline_access')) assert.ok(next.refresh_token);
    }
  });

  it('prompt=none for a third-party app without a grant: consent_required at the app', async () => {
    // A browser with a session (logged in through the first-party app) but no grant for the third-party one.
    const browser = new Browser(server.issuer);
    const firstConfig = await discover(server, firstParty.clientId, firstParty.clientSecret);
    await loginWithCode(server, firstConfig, browser, carol, { scope: 'openid' });

    const config = await discover(server, thirdParty.clientId, thirdParty.clientSecret);
    const silent = await authorizationRequest(config, { prompt: 'none' });
    const answer = await browser.follow(silent.url.href);
    assert.ok(answer.url.startsWith(REDIRECT_URI), `back at the app, got ${answer.url}`);
    const callback = new URL(answer.url);
    assert.equal(callback.searchParams.get('error'), 'consent_required');
    assert.equal(callback.searchParams.get('state'), silent.state);
    await assert.rejects(silent.redeem(answer.url), (error: unknown) => {
      assert.ok(error instanceof oidc.AuthorizationResponseError);
      assert.equal(error.error, 'consent_required');
      return true;
    });

    // offline_access with prompt=none is not turned into a consent request: still consent_required.
    const silentOffline = await authorizationRequest(config, {
      prompt: 'none',
      scope: 'openid offline_access',
    });
    const offline = await browser.follow(silentOffline.url.href);
    assert.equal(new URL(offline.url).searchParams.get('error'), 'consent_required');
  });
});
