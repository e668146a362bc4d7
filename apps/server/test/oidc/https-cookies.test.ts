import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import {
  Browser,
  createApp,
  createUsers,
  loginWithCode,
  type OidcTestServer,
  startOidcServer,
} from './helpers.ts';

/**
 * docs/security.md#51: when the public scheme is https, every cookie Tessera sets is Secure and every
 * response carries HSTS, whether TLS ends here or at a proxy in front (trusted or not); on http
 * (localhost development) neither, or the browser would drop the cookies.
 */

const HSTS = 'max-age=31536000; includeSubDomains';
const COOKIES = [
  'tessera_interaction',
  'tessera_interaction.sig',
  'tessera_resume',
  'tessera_resume.sig',
  'tessera_session',
  'tessera_session.sig',
];

interface Seen {
  url: string;
  status: number;
  hsts: string | null;
  cookies: string[];
}

/**
 * A browser behind a TLS-terminating proxy: it talks https://<domain>, the proxy hands the server
 * plain http (adding `proxyHeaders` as a real proxy would). Every answer is recorded.
 */
class ProxiedBrowser extends Browser {
  readonly seen: Seen[] = [];
  readonly proxyHeaders: Record<string, string>;
  constructor(origin: string, proxyHeaders: Record<string, string>) {
    super(origin);
    this.proxyHeaders = proxyHeaders;
  }

  override async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    target.protocol = 'http:';
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.proxyHeaders)) headers.set(name, value);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    const response = await super.fetch(target.href, { ...init, headers });
    this.seen.push({
      url: `${init.method ?? 'GET'} ${target.pathname}`,
      status: response.status,
      hsts: response.headers.get('strict-transport-security'),
      cookies: response.headers.getSetCookie(),
    });
    return response;
  }
}

const MODES = [
  { name: 'https, TLS ended by a proxy that is not configured as trusted', trust: false, https: true },
  { name: 'https, TLS ended by a trusted proxy', trust: true, https: true },
  { name: 'http (localhost development)', trust: false, https: false },
];

for (const mode of MODES) {
  describe(`cookies and HSTS: ${mode.name}`, () => {
    let server: OidcTestServer;
    let app: { clientId: string; clientSecret: string };
    let config: oidc.Configuration;
    let origin: string;
    let proxyHeaders: Record<string, string>;
    const dana = { username: 'dana@example.com', password: 'dana has a long password' };
    before(async () => {
      server = await startOidcServer({
        ...(mode.https ? { TESSERA_PUBLIC_SCHEME: 'https' } : {}),
        ...(mode.trust ? { TESSERA_TRUST_PROXY: '127.0.0.1' } : {}),
      });
      origin = new URL(server.issuer).origin;
      assert.equal(new URL(origin).protocol, mode.https ? 'https:' : 'http:');
      proxyHeaders = mode.trust
        ? {
            'x-forwarded-proto': 'https',
            'x-forwarded-host': new URL(origin).host,
            'x-forwarded-for': '203.0.113.7',
          }
        : {};
      app = await createApp(server);
      await createUsers(server, dana);
      // The app reaches the server through the same proxy as the browser.
      const throughProxy: oidc.CustomFetch = (url, options) => {
        const target = new URL(url);
        target.protocol = 'http:';
        const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
        for (const [name, value] of Object.entries(proxyHeaders)) headers.set(name, value);
        return fetch(target, { ...(options as RequestInit), headers });
      };
      config = await oidc.discovery(
        new URL(server.issuer),
        app.clientId,
        { client_secret: app.clientSecret },
        oidc.ClientSecretPost(app.clientSecret),
        { execute: [oidc.allowInsecureRequests], [oidc.customFetch]: throughProxy },
      );
      config[oidc.customFetch] = throughProxy;
    });
    after(() => server?.stop());

    const expectedHsts = mode.https ? HSTS : null;

    it(
      mode.https
        ? 'marks every cookie of a login and both logouts Secure, and a full login still completes'
        : 'sets no cookie Secure, so a browser on http://localhost keeps them',
      async () => {
        const browser = new ProxiedBrowser(origin, proxyHeaders);
        const tokens = await loginWithCode(server, config, browser, dana);
        assert.ok(tokens.id_token, 'the login completed');

        const confirm = await browser.fetch(`/oidc/logout?client_id=${app.clientId}`);
        assert.equal(confirm.status, 200);
        const html = await confirm.text();
        const action = /<form[^>]+action="([^"]+)"/.exec(html)![1]!;
        const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
        const done = await browser.fetch(action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ xsrf, logout: 'yes' }),
        });
        assert.equal(done.status, 303);
        assert.equal(browser.cookies.has('tessera_session'), false, 'the RP-initiated logout cleared it');

        await loginWithCode(server, config, browser, dana);
        const auth0 = await browser.fetch('/v2/logout');
        assert.equal(auth0.status, 302);
        assert.equal(browser.cookies.has('tessera_session'), false, '/v2/logout cleared it');

        const lines = browser.seen.flatMap((seen) => seen.cookies.map((line) => `${seen.url}: ${line}`));
        const names = new Set(lines.map((line) => /: ([^=]+)=/.exec(line)![1]!));
        assert.deepEqual([...names].sort(), COOKIES, 'every cookie Tessera sets was seen');
        const notSecure = lines.filter((line) => !/;\s*secure\s*(;|$)/i.test(line));
        const secure = lines.filter((line) => /;\s*secure\s*(;|$)/i.test(line));
        assert.deepEqual(mode.https ? notSecure : secure, []);
        const cleared = browser.seen.find((seen) => seen.url === 'GET /v2/logout')!.cookies;
        assert.equal(cleared.length, 2, '/v2/logout clears the session cookie and its signature');
      },
    );

    it(
      mode.https
        ? 'sends HSTS on pages, protocol endpoints, errors and 404s'
        : 'sends no HSTS, which would pin localhost to https',
      async () => {
        const browser = new ProxiedBrowser(origin, proxyHeaders);
        await loginWithCode(server, config, browser, dana);
        const page = browser.seen.find((seen) => seen.url.startsWith('GET /u/login'));
        assert.equal(page?.status, 200, 'the login page was among them');

        const more = new ProxiedBrowser(origin, proxyHeaders);
        await more.fetch('/.well-known/openid-configuration');
        await more.fetch('/.well-known/jwks.json');
        await more.fetch('/oauth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'nope',
            client_id: app.clientId,
          }),
        });
        await more.fetch('/u/login');
        await more.fetch('/no/such/path');
        assert.deepEqual(
          more.seen.map(({ url, status }) => `${url} ${status}`),
          [
            'GET /.well-known/openid-configuration 200',
            'GET /.well-known/jwks.json 200',
            'POST /oauth/token 401',
            'GET /u/login 400',
            'GET /no/such/path 404',
          ],
        );
        for (const seen of [...browser.seen, ...more.seen]) {
          assert.equal(seen.hsts, expectedHsts, `${seen.url} ${seen.status}`);
        }
      },
    );
  });
}
