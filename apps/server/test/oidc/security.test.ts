import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

/** docs/security.md cases 13–20, 25 and 27, each driven through the real server with real clients. */
describe('OIDC attacks and faults', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let spa: { clientId: string };
  const carol = { username: 'carol@example.com', password: 'carol has a good password' };
  before(async () => {
    ({ server, app } = await startOidcSetup({ users: [carol] }));
    spa = await createApp(server, { appType: 'spa', tokenEndpointAuthMethod: 'none' });
  });
  after(() => server.stop());

  const authorizeUrl = (params: Record<string, string>) =>
    `${server.issuer}authorize?${new URLSearchParams({ response_type: 'code', scope: 'openid', client_id: app.clientId, ...params })}`;

  async function codeFor(browser: Browser, clientId: string, extra: Record<string, string> = {}) {
    const start = await browser.follow(
      authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT_URI, state: 's1', ...extra }),
    );
    if (start.url.startsWith(REDIRECT_URI)) return new URL(start.url);
    const done = await browser.login(start.url, carol.username, carol.password);
    return new URL(done.url);
  }

  it('13: an unregistered, missing or altered redirect_uri gets an error page, never a redirect', async () => {
    for (const redirect of [
      'https://evil.example.com/callback',
      `${REDIRECT_URI}?x=1`,
      `${REDIRECT_URI}/..`,
      undefined,
    ]) {
      const params: Record<string, string> = { state: 'x' };
      if (redirect) params.redirect_uri = redirect;
      const response = await new Browser(server.issuer).fetch(authorizeUrl(params));
      assert.equal(response.status, 400, `redirect_uri=${redirect}`);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      const body = await response.text();
      assert.match(body, /redirect_uri/);
      assert.doesNotMatch(body, /evil\.example\.com\/callback"/);
    }
  });

  it('14: a code redeemed twice fails and revokes the tokens of the first redemption; concurrent redemptions: exactly one wins', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const callback = await codeFor(new Browser(server.issuer), app.clientId, {
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'openid offline_access',
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 's1',
    });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's1' }),
      { error: 'invalid_grant' },
    );
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token!),
      { error: 'invalid_grant' },
      'the first tokens are revoked',
    );

    const second = await codeFor(new Browser(server.issuer), app.clientId, {
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        oidc.authorizationCodeGrant(config, second, { pkceCodeVerifier: verifier, expectedState: 's1' }),
      ),
    );
    assert.equal(
      results.filter((r) => r.status === 'fulfilled').length,
      1,
      'exactly one redemption succeeds',
    );
  });

  it('15: a public client without PKCE, with plain, or with a wrong verifier is refused', async () => {
    const noPkce = await new Browser(server.issuer).fetch(
      authorizeUrl({ client_id: spa.clientId, redirect_uri: REDIRECT_URI, state: 'x' }),
    );
    assert.match(noPkce.headers.get('location') ?? '', /error=invalid_request/);
    assert.match(decodeURIComponent(noPkce.headers.get('location') ?? ''), /PKCE/);
    const plain = await new Browser(server.issuer).fetch(
      authorizeUrl({
        client_id: spa.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'x',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      }),
    );
    assert.match(plain.headers.get('location') ?? '', /error=invalid_request/);

    const config = await discover(server, spa.clientId);
    const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
    const callback = await codeFor(new Browser(server.issuer), spa.clientId, {
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: 's1',
      }),
      { error: 'invalid_grant' },
    );
  });

  it('17: prompt=none without a session answers login_required with the state; max_age=1 forces a new login', async () => {
    const none = await new Browser(server.issuer).fetch(
      authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'keep-me', prompt: 'none' }),
    );
    const location = new URL(none.headers.get('location')!);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('error'), 'login_required');
    assert.equal(location.searchParams.get('state'), 'keep-me');

    const browser = new Browser(server.issuer);
    const config = await discover(server, app.clientId, app.clientSecret);
    const first = await loginWithCode(server, config, browser, carol);
    const authTime = Number(first.claims()!.auth_time);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const again = await browser.follow(
      authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'x', max_age: '1' }),
    );
    assert.match(again.url, /\/u\/login\?state=/, 'the login page again, not an SSO redirect');
    const tokens = await loginWithCode(server, config, browser, carol, { max_age: '1' });
    assert.ok(Number(tokens.claims()!.auth_time) > authTime, 'a newer auth_time');
  });

  it('18: a flow started in one browser cannot be finished in another, and a tampered cookie is refused', async () => {
    const alice = new Browser(server.issuer);
    const start = await alice.follow(authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'x' }));
    assert.match(start.url, /\/u\/login\?state=/);
    const html = await (await alice.fetch(start.url)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const form = { _csrf: csrf, username: carol.username, password: carol.password };

    const mallory = new Browser(server.issuer);
    await mallory.follow(authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'y' }));
    const crossed = await mallory.fetch(start.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    assert.equal(crossed.status, 403, 'another browser (another interaction cookie)');
    const page = await crossed.text();
    assert.match(crossed.headers.get('content-type') ?? '', /text\/html/, 'a page for the person, not JSON');
    assert.match(page, /belongs to another browser/);

    const tampered = new Browser(server.issuer);
    for (const [name, value] of alice.cookies)
      tampered.cookies.set(name, name.endsWith('.sig') ? `${value.slice(0, -2)}xx` : value);
    const forged = await tampered.fetch(start.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    assert.equal(forged.status, 403, 'a cookie whose signature does not verify');

    const badCsrf = await alice.fetch(start.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, _csrf: 'nope' }),
    });
    assert.equal(badCsrf.status, 403, 'a form without the right CSRF token');
  });

  it('19: ID tokens are never signed with alg none', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    assert.ok(!config.serverMetadata().id_token_signing_alg_values_supported?.includes('none'));
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), carol);
    assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256');
  });

  it('20: unknown user and wrong password get the same status and body; 10 failures block this IP for that identifier, known or not, alike', async () => {
    const attempt = async (browser: Browser, username: string) => {
      const start = await browser.follow(authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'x' }));
      const html = await (await browser.fetch(start.url)).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      const response = await browser.fetch(start.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username, password: 'wrong password!' }),
      });
      const body = (await response.text())
        .replaceAll(csrf, 'CSRF')
        .replace(/state=[\w-]+/g, 'state=S')
        .replaceAll(username, 'USER');
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
    };
    const unknown = await attempt(new Browser(server.issuer), 'nobody@example.com');
    const wrong = await attempt(new Browser(server.issuer), carol.username);
    assert.equal(unknown.status, 400);
    assert.deepEqual(wrong, unknown, 'identical answers');

    const victim = 'dave@example.com';
    await server.storage.users.create(server.tenantId, {
      email: victim,
      password: 'dave has a good password',
    });
    for (let i = 0; i < 10; i++)
      assert.equal((await attempt(new Browser(server.issuer), victim)).status, 400);
    const blocked = await attempt(new Browser(server.issuer), victim);
    assert.equal(blocked.status, 429, 'the 11th attempt from this IP is refused');
    assert.equal(blocked.retryAfter, null, 'until an administrator lifts the block (docs/security.md#42)');
    assert.match(blocked.body, /This account is blocked/);
    const correct = new Browser(server.issuer);
    const start = await correct.follow(authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'x' }));
    const refused = await correct.login(start.url, victim, 'dave has a good password');
    assert.equal(refused.response.status, 429, 'even the right password, from this IP');

    // 'nobody@example.com' has failed once already: nine more, and the next answer is the same.
    for (let i = 0; i < 9; i++) await attempt(new Browser(server.issuer), 'nobody@example.com');
    assert.deepEqual(await attempt(new Browser(server.issuer), 'nobody@example.com'), blocked);
  });

  it('25: the session id changes at authentication (a planted session cookie is not adopted)', async () => {
    const browser = new Browser(server.issuer);
    browser.cookies.set('tessera_session', 'planted-session-id');
    const config = await discover(server, app.clientId, app.clientSecret);
    await loginWithCode(server, config, browser, carol);
    assert.notEqual(browser.cookies.get('tessera_session'), 'planted-session-id');
    assert.ok(browser.cookies.get('tessera_session'));
  });

  it('27: after /v2/logout the session is gone and session-bound tokens no longer work', async () => {
    const browser = new Browser(server.issuer);
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, browser, carol, { scope: 'openid profile' });
    const sub = String(tokens.claims()!.sub);
    assert.ok(await oidc.fetchUserInfo(config, tokens.access_token, sub));
    const logout = await browser.fetch(
      `${server.issuer}v2/logout?client_id=${app.clientId}&returnTo=${encodeURIComponent('https://app.example.com/bye')}`,
    );
    assert.equal(logout.status, 302);
    assert.equal(logout.headers.get('location'), 'https://app.example.com/bye');
    await assert.rejects(
      oidc.fetchUserInfo(config, tokens.access_token, sub),
      'the access token died with the session',
    );
    const sso = await browser.fetch(authorizeUrl({ redirect_uri: REDIRECT_URI, state: 'x', prompt: 'none' }));
    assert.match(sso.headers.get('location') ?? '', /error=login_required/);

    const notAllowed = await new Browser(server.issuer).fetch(
      `${server.issuer}v2/logout?client_id=${app.clientId}&returnTo=${encodeURIComponent('https://evil.example.com/')}`,
    );
    assert.equal(notAllowed.headers.get('location'), null, 'an unlisted returnTo is not followed');
    assert.equal(notAllowed.status, 400, 'a page says why (page-explanations.test.ts)');
  });
});
