import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import {
  addLoopbackTenant,
  authorizationRequest,
  Browser,
  createApp,
  discover,
  formOf,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

/**
 * The login pages' forms are checked against their schemas (routes/form-fields.ts), and a field is one
 * piece of text: sent twice, sent as JSON that is not a string, or in a body that is not a form at all,
 * it counts as not sent, so a hand-made request gets exactly the answer a form without it gets.
 */
describe('the login pages read each form field as one piece of text', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  /** A second tenant with sign-up enabled, and its app. */
  let open: OidcTestServer;
  let openConfig: oidc.Configuration;
  let thirdPartyConfig: oidc.Configuration;
  const zoe = { username: 'zoe@example.com', password: 'zoe has a long password' };

  before(async () => {
    ({ server, config } = await startOidcSetup({ users: [zoe] }));
    const thirdParty = await createApp(server, { isFirstParty: false });
    thirdPartyConfig = await discover(server, thirdParty.clientId, thirdParty.clientSecret);
    open = await addLoopbackTenant(server, 'open', { signup_enabled: true });
    const openApp = await createApp(open);
    openConfig = await discover(open, openApp.clientId, openApp.clientSecret);
  });
  after(() => server.stop());

  /** A browser on the login page of a fresh authorization request of `app`. */
  async function loginPage(app: oidc.Configuration, issuer: string) {
    const request = await authorizationRequest(app);
    const browser = new Browser(issuer);
    const start = await browser.follow(request.url.href);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const state = new URL(start.url).searchParams.get('state')!;
    return { browser, state, url: start.url, ...formOf(await start.response.text()) };
  }

  /** Posts `body` (a form unless `type` says otherwise) and reads the answer. */
  async function post(
    browser: Browser,
    action: string,
    body: string,
    type = 'application/x-www-form-urlencoded',
  ) {
    const response = await browser.fetch(action, { method: 'POST', headers: { 'content-type': type }, body });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      location: response.headers.get('location'),
      html: await response.text(),
    };
  }
  const form = (fields: Array<[string, string]>) => new URLSearchParams(fields).toString();

  it('refuses a CSRF token sent twice, as JSON that is not a string, or in a plain-text body as a missing one (403)', async () => {
    const page = await loginPage(config, server.issuer);
    const credentials: Array<[string, string]> = [
      ['username', zoe.username],
      ['password', zoe.password],
    ];
    const missing = await post(page.browser, page.action, form(credentials));
    assert.equal(missing.status, 403);
    assert.match(missing.type ?? '', /^text\/html/);
    assert.match(missing.html, /The form has expired/);
    const answers = [
      await post(
        page.browser,
        page.action,
        form([['_csrf', page.csrf], ['_csrf', page.csrf], ...credentials]),
      ),
      await post(
        page.browser,
        page.action,
        JSON.stringify({ _csrf: [page.csrf], username: zoe.username, password: zoe.password }),
        'application/json',
      ),
      await post(page.browser, page.action, `_csrf=${page.csrf}`, 'text/plain'),
    ];
    for (const answer of answers) {
      assert.deepEqual([answer.status, answer.type], [missing.status, missing.type]);
      assert.match(answer.html, /The form has expired/);
    }
    const done = await post(page.browser, page.action, form([['_csrf', page.csrf], ...credentials]));
    assert.equal(done.status, 303, 'the page still logs in with the form as a browser sends it');
  });

  it('checks a username or password sent twice, or as JSON that is not a string, as an empty one: the same 400 page', async () => {
    const page = await loginPage(config, server.issuer);
    const empty = await post(
      page.browser,
      page.action,
      form([
        ['_csrf', page.csrf],
        ['password', zoe.password],
      ]),
    );
    assert.equal(empty.status, 400);
    assert.match(empty.html, /Wrong email\/username or password\./);
    const twice = form([
      ['_csrf', page.csrf],
      ['username', zoe.username],
      ['username', zoe.username],
      ['password', zoe.password],
    ]);
    assert.deepEqual(await post(page.browser, page.action, twice), empty);
    const noPassword = await post(
      page.browser,
      page.action,
      form([
        ['_csrf', page.csrf],
        ['username', zoe.username],
      ]),
    );
    assert.equal(noPassword.status, 400);
    for (const [body, type] of [
      [
        form([
          ['_csrf', page.csrf],
          ['username', zoe.username],
          ['password', zoe.password],
          ['password', zoe.password],
        ]),
        undefined,
      ],
      [JSON.stringify({ _csrf: page.csrf, username: zoe.username, password: 12345678 }), 'application/json'],
    ] as const) {
      assert.deepEqual(await post(page.browser, page.action, body, type), noPassword);
    }
  });

  it('signs nobody up with an email or password sent twice: the empty field’s 400 page', async () => {
    const login = await loginPage(openConfig, open.issuer);
    const signup = await login.browser.fetch(`/u/signup?state=${login.state}`);
    assert.equal(signup.status, 200);
    const { csrf, action } = formOf(await signup.text());
    const password = 'a long enough password';
    const cases: Array<[Array<[string, string]>, RegExp]> = [
      [
        [
          ['email', 'yann@example.com'],
          ['email', 'yann@example.com'],
          ['password', password],
        ],
        /Enter a valid email address\./,
      ],
      [
        [
          ['email', 'yann@example.com'],
          ['password', password],
          ['password', password],
        ],
        /This password is too weak/,
      ],
    ];
    for (const [fields, message] of cases) {
      const answer = await post(login.browser, action, form([['_csrf', csrf], ...fields]));
      assert.equal(answer.status, 400);
      assert.match(answer.html, message);
    }
    assert.equal(await server.storage.users.findByEmail(open.tenantId, 'yann@example.com'), undefined);
  });

  it('takes a consent `action` sent twice as no approval: the app hears access_denied', async () => {
    const page = await loginPage(thirdPartyConfig, server.issuer);
    const consent = await page.browser.login(page.url, zoe.username, zoe.password);
    assert.equal(new URL(consent.url).pathname, '/u/consent', `the consent page, got ${consent.url}`);
    const { csrf, action } = formOf(await consent.response.text());
    const done = await page.browser.follow(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form([
        ['_csrf', csrf],
        ['action', 'accept'],
        ['action', 'accept'],
      ]),
    });
    assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url}`);
    assert.equal(new URL(done.url).searchParams.get('error'), 'access_denied');
  });

  it('answers a page whose `state` is sent twice as one without a state: a 400 page, not a login form', async () => {
    const page = await loginPage(config, server.issuer);
    for (const method of ['GET', 'POST']) {
      const response = await page.browser.fetch(`/u/login?state=${page.state}&state=${page.state}`, {
        method,
        ...(method === 'POST'
          ? {
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: form([['_csrf', page.csrf]]),
            }
          : {}),
      });
      assert.equal(response.status, 400, method);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.doesNotMatch(await response.text(), /name="password"/);
    }
  });
});
