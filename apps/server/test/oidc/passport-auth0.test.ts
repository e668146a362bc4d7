import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { type Certificate, localhostCertificate } from '../helpers.ts';
import { Browser, createUsers, formOf, type OidcTestServer, startOidcServer } from './helpers.ts';

// express, express-session, passport and passport-auth0 ship no types: the little this test uses.
interface Request {
  user?: unknown;
}
interface Response {
  json(body: unknown): void;
  redirect(url: string): void;
  status(code: number): Response;
}
type Next = (error?: unknown) => void;
type Middleware = (request: Request, response: Response, next: Next) => void;
type ErrorMiddleware = (error: Error, request: Request, response: Response, next: Next) => void;
interface ExpressApp {
  use(handler: Middleware | ErrorMiddleware): void;
  get(path: string, ...handlers: Middleware[]): void;
  listen(port: number, host: string): Server;
}
type Done = (error: unknown, value?: unknown) => void;
interface PassportInstance {
  use(strategy: unknown): void;
  initialize(): Middleware;
  session(): Middleware;
  authenticate(name: string, options?: Record<string, unknown>): Middleware;
  serializeUser(fn: (user: unknown, done: Done) => void): void;
  deserializeUser(fn: (user: unknown, done: Done) => void): void;
}
interface Auth0Profile {
  id: string;
  provider?: string;
  displayName?: string;
  emails?: Array<{ value: string }>;
  _json: Record<string, unknown>;
}
type Verify = (
  accessToken: string,
  refreshToken: string | undefined,
  extraParams: Record<string, unknown>,
  profile: Auth0Profile,
  done: Done,
) => void;

const require = createRequire(import.meta.url);
const express = require('express') as () => ExpressApp;
const session = require('express-session') as (options: Record<string, unknown>) => Middleware;
const { Passport } = require('passport') as { Passport: new () => PassportInstance };
const Auth0Strategy = require('passport-auth0') as new (
  options: Record<string, unknown>,
  verify: Verify,
) => unknown;

const API = 'https://orders.example.com/';

/** A browser on two sites (the app and Tessera), each with its own cookies, following redirects across both. */
class TwoSites {
  readonly #browsers = new Map<string, Browser>();
  browser(url: string): Browser {
    const { origin } = new URL(url);
    const browser = this.#browsers.get(origin) ?? new Browser(origin);
    this.#browsers.set(origin, browser);
    return browser;
  }
  async go(url: string, init: RequestInit = {}) {
    let current = url;
    let response = await this.browser(current).fetch(current, init);
    for (let hops = 0; hops < 15 && response.status >= 300 && response.status < 400; hops++) {
      current = new URL(response.headers.get('location')!, current).href;
      response = await this.browser(current).fetch(current);
    }
    return { response, url: current };
  }
}

/**
 * passport-auth0, Auth0's own Passport strategy, unmodified, configured as an Auth0 customer's
 * Express app is: only `domain` changes (here `localhost:<port>`, which the strategy turns into
 * https:// URLs, so Tessera serves TLS with a throw-away certificate this process trusts). It logs in
 * through the real login page, redeems the code, checks the ID token and fetches the profile from
 * `/userinfo?access_token=…` (RFC 6750 §2.3), for an opaque access token and for Auth0's JWT access
 * token of an API; the token in the query never reaches Tessera's log (docs/security.md#53).
 */
describe('passport-auth0 logs in against Tessera and reads the profile', () => {
  let cert: Certificate;
  let server: OidcTestServer;
  let rp: Server;
  let rpOrigin: string;
  const issued: string[] = [];
  const mira = { username: 'mira@example.com', password: 'mira has a good password' };
  let miraId: string;

  before(async () => {
    cert = await localhostCertificate({ trust: true });
    server = await startOidcServer({
      TESSERA_TLS_CERT_FILE: cert.certFile,
      TESSERA_TLS_KEY_FILE: cert.keyFile,
    });
    const domain = new URL(server.issuer).host;
    assert.equal(server.issuer, `https://${domain}/`);
    await server.storage.resourceServers.create(server.tenantId, { identifier: API, name: 'Orders API' });
    [{ user_id: miraId }] = await createUsers(server, { ...mira, name: 'Mira Example' });

    const app = express();
    rp = app.listen(0, '127.0.0.1');
    await once(rp, 'listening');
    rpOrigin = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
    const { client, clientSecret } = await server.storage.clients.create(server.tenantId, {
      name: 'Passport App',
      appType: 'regular_web',
      callbacks: [`${rpOrigin}/callback`],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_post',
    });

    // The app as passport-auth0's README sets it up.
    const passport = new Passport();
    passport.use(
      new Auth0Strategy(
        { domain, clientID: client.clientId, clientSecret, callbackURL: `${rpOrigin}/callback` },
        (accessToken, _refreshToken, _extraParams, profile, done) => {
          issued.push(accessToken);
          done(null, { profile, accessToken });
        },
      ),
    );
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user, done) => done(null, user));
    app.use(session({ secret: 'the app’s own session secret', resave: false, saveUninitialized: false }));
    app.use(passport.initialize());
    app.use(passport.session());
    app.get('/login', passport.authenticate('auth0', { scope: 'openid email profile' }));
    app.get('/login-api', passport.authenticate('auth0', { scope: 'openid email profile', audience: API }));
    app.get('/callback', passport.authenticate('auth0', { failureRedirect: '/failed' }), (_req, res) =>
      res.redirect('/me'),
    );
    app.get('/me', (req, res) => res.json(req.user ?? null));
    app.get('/failed', (_req, res) => res.status(401).json({ failed: true }));
    app.use((error, _req, res, _next) => res.status(500).json({ error: error.message }));
  });
  after(async () => {
    rp?.close();
    await server?.stop();
    await cert?.remove();
  });

  /** A user at the app's /login (or /login-api), through Tessera's login page, back at the app's /me. */
  async function logIn(path: '/login' | '/login-api') {
    const sites = new TwoSites();
    const page = await sites.go(`${rpOrigin}${path}`);
    assert.equal(page.response.status, 200, `Tessera's login page (${page.url})`);
    assert.ok(page.url.startsWith(`${server.issuer}u/login`), page.url);
    const { csrf, action } = formOf(await page.response.text());
    const done = await sites.go(new URL(action, page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: mira.username, password: mira.password }),
    });
    const body = await done.response.text();
    assert.equal(done.url, `${rpOrigin}/me`, `back at the app: ${done.response.status} ${body}`);
    return JSON.parse(body) as { profile: Auth0Profile; accessToken: string };
  }

  function assertProfile(profile: Auth0Profile) {
    assert.equal(profile.id, miraId);
    assert.equal(profile.provider, 'auth0');
    assert.equal(profile.displayName, 'Mira Example');
    assert.deepEqual(profile.emails, [{ value: mira.username }]);
    assert.equal(profile._json.sub, miraId);
  }

  /** Tessera logged the app's /userinfo request, with the token in its URL redacted. */
  function assertProfileRequestLogged() {
    const urls = server.logs
      .map((line) => (line.req as { url?: string } | undefined)?.url)
      .filter((url) => url?.startsWith('/userinfo'));
    assert.ok(urls.length > 0, 'the app asked /userinfo');
    for (const url of urls) assert.equal(url, '/userinfo?access_token=[Redacted]');
  }

  it('with an opaque access token: the profile comes from /userinfo?access_token=', async () => {
    const { profile, accessToken } = await logIn('/login');
    assert.equal(accessToken.split('.').length, 1, 'no audience: an opaque access token');
    assertProfile(profile);
    assertProfileRequestLogged();
  });

  it('with an API audience: the JWT access token serves /userinfo?access_token= too', async () => {
    const { profile, accessToken } = await logIn('/login-api');
    assert.deepEqual(decodeJwt(accessToken).aud, [API, `${server.issuer}userinfo`]);
    assertProfile(profile);
    assertProfileRequestLogged();
  });

  it('writes none of the access tokens it issued into a log line', () => {
    assert.equal(issued.length, 2);
    const lines = server.logs.map((line) => JSON.stringify(line));
    for (const token of issued) {
      assert.equal(
        lines.find((line) => line.includes(token.slice(-24))),
        undefined,
      );
    }
  });
});
