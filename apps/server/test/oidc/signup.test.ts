import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import {
  addLoopbackTenant,
  authorizationRequest,
  Browser,
  createApp,
  discover,
  formOf,
  type OidcTestServer,
  postForm,
  REDIRECT_URI,
  startOidcServer,
} from './helpers.ts';

/** The sign-up link of a login page, if it has one. */
const signupLinkOf = (html: string) =>
  /<a href="([^"]*\/u\/signup[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

describe('sign-up', () => {
  let server: OidcTestServer;
  /** The default tenant (localhost:<port>): sign-up is off, as by default. */
  let closed: OidcTestServer;
  /** A second tenant on 127.0.0.1:<port> with `signup_enabled: true`. */
  let open: OidcTestServer;
  let closedApp: { clientId: string; clientSecret: string };
  let openApp: { clientId: string; clientSecret: string };
  const existing = { email: 'dora@example.com', password: 'dora has a long password' };

  const countUsers = (tenantId: string) => server.storage.db.prisma.user.count({ where: { tenantId } });

  before(async () => {
    server = await startOidcServer();
    closed = server;
    open = await addLoopbackTenant(server, 'open', { signup_enabled: true });
    closedApp = await createApp(closed);
    openApp = await createApp(open);
    await server.storage.users.create(open.tenantId, existing);
  });
  after(() => server.stop());

  /** Starts a login for the app of `tenant`: the browser is on its login page. */
  async function loginPage(tenant: OidcTestServer, app: { clientId: string; clientSecret: string }) {
    const config = await discover(tenant, app.clientId, app.clientSecret);
    assert.equal(config.serverMetadata().issuer, tenant.issuer);
    const request = await authorizationRequest(config, { scope: 'openid profile email offline_access' });
    const browser = new Browser(tenant.issuer);
    const start = await browser.follow(request.url.href);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const url = new URL(start.url);
    assert.equal(url.pathname, '/u/login');
    const state = url.searchParams.get('state');
    assert.ok(state);
    return { ...request, config, browser, state, html: await start.response.text() };
  }

  /** Starts a login for the open tenant's app and opens its sign-up page through the login page's link. */
  async function signupPage() {
    const login = await loginPage(open, openApp);
    const link = signupLinkOf(login.html);
    assert.ok(link, 'the login page links to sign-up');
    const page = await login.browser.fetch(link);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    return { ...login, link, signupHtml: html, ...formOf(html) };
  }

  it('is off by default: no link on the login page, and /u/signup leads back to the login page', async () => {
    const login = await loginPage(closed, closedApp);
    assert.equal(signupLinkOf(login.html), undefined);
    assert.doesNotMatch(login.html, /Sign up/);

    const before = await countUsers(closed.tenantId);
    const page = await login.browser.fetch(`/u/signup?state=${login.state}`);
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `/u/login?state=${login.state}`);

    // Posting the form anyway (with a valid CSRF token of this transaction) creates nobody.
    const { csrf } = formOf(login.html);
    const posted = await login.browser.fetch(`/u/signup?state=${login.state}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrf,
        email: 'mallory@example.com',
        password: 'long enough password',
      }),
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get('location'), `/u/login?state=${login.state}`);
    assert.equal(await countUsers(closed.tenantId), before);
    assert.equal(await server.storage.users.findByEmail(closed.tenantId, 'mallory@example.com'), undefined);
  });

  it('when the tenant enables it, the login page links to the sign-up page of the same transaction', async () => {
    const { link, state, signupHtml, action } = await signupPage();
    assert.equal(link, `/u/signup?state=${state}`);
    assert.match(signupHtml, /Create your account/);
    assert.match(signupHtml, /name="email"/);
    assert.match(signupHtml, /name="password"/);
    assert.equal(action, `/u/signup?state=${state}`);
    assert.ok(signupHtml.includes(`/u/login?state=${state}`), 'the sign-up page links back to log in');
  });

  it('signing up logs the new user in: the app gets tokens for a new auth0| user', async () => {
    const signup = await signupPage();
    const before = await countUsers(open.tenantId);
    const email = 'Erin.New@Example.com';
    const done = await postForm(signup.browser, signup.action, {
      _csrf: signup.csrf,
      email,
      password: 'erin chose a long password',
    });
    assert.ok(
      done.url.startsWith(REDIRECT_URI),
      `back at the app, got ${done.url} (${done.response.status})`,
    );
    const tokens = await signup.redeem(done.url);
    const id = tokens.claims()!;
    assert.equal(id.iss, open.issuer);
    assert.match(id.sub, /^auth0\|[0-9a-f]{24}$/);
    assert.equal(id.email, email.toLowerCase(), 'Auth0 stores emails lowercased');
    assert.equal(id.email_verified, false);
    assert.deepEqual(id.amr, ['pwd']);
    assert.ok(tokens.refresh_token);

    assert.equal(await countUsers(open.tenantId), before + 1);
    const user = await server.storage.users.findById(open.tenantId, id.sub);
    assert.ok(user);
    assert.equal(user.email, email.toLowerCase());
    assert.equal(user.logins_count, 1);
    assert.ok(user.last_login);
    assert.equal(
      await server.storage.users.findById(closed.tenantId, id.sub),
      undefined,
      'in its tenant only',
    );

    // The new user can log in with the password chosen, and the session already knows them.
    const userinfo = await oidc.fetchUserInfo(signup.config, tokens.access_token, id.sub);
    assert.equal(userinfo.email, email.toLowerCase());
    const again = await authorizationRequest(signup.config, { scope: 'openid profile email offline_access' });
    const sso = await signup.browser.follow(again.url.href);
    assert.ok(sso.url.startsWith(REDIRECT_URI), `SSO after sign-up, got ${sso.url}`);
    const login = await loginPage(open, openApp);
    const loggedIn = await login.browser.login(
      new URL(`/u/login?state=${login.state}`, open.issuer).href,
      email.toUpperCase(),
      'erin chose a long password',
    );
    assert.ok(loggedIn.url.startsWith(REDIRECT_URI), `logged in with the new password, got ${loggedIn.url}`);
  });

  it('a taken email, in any letter case, answers 409 with the "already exists" message and creates nobody', async () => {
    for (const email of [existing.email, existing.email.toUpperCase(), ` Dora@Example.COM `]) {
      const signup = await signupPage();
      const before = await countUsers(open.tenantId);
      const answer = await postForm(signup.browser, signup.action, {
        _csrf: signup.csrf,
        email,
        password: 'another long password',
      });
      assert.equal(answer.response.status, 409, email);
      assert.match(String(answer.response.headers.get('content-type')), /^text\/html/);
      const html = await answer.response.text();
      assert.match(html, /An account with this email already exists\./);
      assert.match(html, /role="alert"/);
      assert.equal(formOf(html).action, signup.action, 'the form is shown again');
      assert.equal(await countUsers(open.tenantId), before);
    }
    const dora = await server.storage.users.findByEmail(open.tenantId, existing.email);
    assert.equal(dora?.logins_count, 0, 'the existing account was not logged in');
  });

  it('two sign-ups racing for one new email: one account, the other browser gets 409', async () => {
    const [first, second] = await Promise.all([signupPage(), signupPage()]);
    const before = await countUsers(open.tenantId);
    const answers = await Promise.all(
      [first, second].map((signup, i) =>
        postForm(signup.browser, signup.action, {
          _csrf: signup.csrf,
          email: i === 0 ? 'ivan@example.com' : 'IVAN@example.com',
          password: 'ivan has a long password',
        }),
      ),
    );
    const statuses = answers.map((a) => (a.url.startsWith(REDIRECT_URI) ? 'app' : a.response.status)).sort();
    assert.deepEqual(statuses, [409, 'app']);
    assert.equal(await countUsers(open.tenantId), before + 1);
  });

  it('an invalid email or a password shorter than 8 characters answers 400 and creates nobody', async () => {
    const cases = [
      { email: 'not-an-email', password: 'long enough password', message: /Enter a valid email address\./ },
      { email: 'frank@', password: 'long enough password', message: /Enter a valid email address\./ },
      { email: '', password: 'long enough password', message: /Enter a valid email address\./ },
      { email: 'frank@example.com', password: 'short12', message: /This password is too weak/ },
      { email: 'frank@example.com', password: '', message: /This password is too weak/ },
    ];
    for (const { email, password, message } of cases) {
      const signup = await signupPage();
      const before = await countUsers(open.tenantId);
      const answer = await postForm(signup.browser, signup.action, { _csrf: signup.csrf, email, password });
      assert.equal(answer.response.status, 400, `${email} / ${password.length} characters`);
      const html = await answer.response.text();
      assert.match(html, message);
      assert.doesNotMatch(html, new RegExp(password ? password : '^$'), 'the password is not echoed');
      assert.equal(await countUsers(open.tenantId), before);
    }
    assert.equal(await server.storage.users.findByEmail(open.tenantId, 'frank@example.com'), undefined);

    // Exactly 8 characters is enough.
    const signup = await signupPage();
    const done = await postForm(signup.browser, signup.action, {
      _csrf: signup.csrf,
      email: 'grace@example.com',
      password: '12345678',
    });
    assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url}`);
  });

  it('a missing or wrong CSRF token answers 403 and creates nobody', async () => {
    const signup = await signupPage();
    const other = await signupPage();
    const before = await countUsers(open.tenantId);
    for (const csrf of [undefined, '', `${signup.csrf.slice(0, -2)}xx`, other.csrf]) {
      const fields: Record<string, string> = {
        email: 'heidi@example.com',
        password: 'heidi has a long password',
      };
      if (csrf !== undefined) fields._csrf = csrf;
      const answer = await postForm(signup.browser, signup.action, fields);
      assert.equal(answer.response.status, 403, String(csrf));
      assert.match(String(answer.response.headers.get('content-type')), /^text\/html/);
      assert.match(await answer.response.text(), /The form has expired/);
    }
    assert.equal(await countUsers(open.tenantId), before);
    assert.equal(await server.storage.users.findByEmail(open.tenantId, 'heidi@example.com'), undefined);
  });
  // Last in this file: every sign-up attempt above came from the same address and counts too.
  it('sign-up attempts are limited per IP: past the window, 429 with Retry-After and nobody created', async () => {
    const signup = await signupPage();
    let answer: Awaited<ReturnType<typeof postForm>> | undefined;
    for (let attempt = 0; attempt <= 20; attempt++) {
      answer = await postForm(signup.browser, signup.action, {
        _csrf: signup.csrf,
        email: 'not-an-email',
        password: 'long enough password',
      });
      if (answer.response.status === 429) break;
      assert.equal(answer.response.status, 400);
    }
    assert.equal(answer?.response.status, 429, 'the 21st attempt of the window at the latest');
    assert.ok(Number(answer?.response.headers.get('retry-after')) > 0);
    assert.match(await answer!.response.text(), /Too many sign-up attempts/);
    const before = await countUsers(open.tenantId);
    const valid = await postForm(signup.browser, signup.action, {
      _csrf: signup.csrf,
      email: 'late@example.com',
      password: 'a long enough password',
    });
    assert.equal(valid.response.status, 429, 'even a valid sign-up waits');
    assert.equal(await countUsers(open.tenantId), before);
  });
});
