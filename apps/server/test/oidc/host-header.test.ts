import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { bindActions, deployAction } from '../actions-flow/helpers.ts';
import {
  authorizationRequest,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
  startOidcSetup,
} from './helpers.ts';

/**
 * docs/security.md#45: every URL Tessera emits comes from the tenant's own domain (the custom domain
 * the request matched, else the answering tenant's primary domain), whatever Host or X-Forwarded-*
 * a client sends; a trusted proxy's X-Forwarded-Host only picks among the tenant's own domains.
 */

const EVIL = 'evil.example';
const HOSTNAME_CLAIM = 'https://tessera.test/hostname';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to the server's real address with exactly the Host and headers given (fetch cannot set Host). */
function send(
  server: OidcTestServer,
  path: string,
  headers: Record<string, string>,
  init: { method?: string; body?: string } = {},
): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, setHost: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/** A browser whose every request says `Host: <host>` (with its cookies), whatever URL it is sent to. */
class HostileBrowser {
  readonly cookies = new Map<string, string>();
  readonly server: OidcTestServer;
  readonly host: string;
  constructor(server: OidcTestServer, host: string) {
    this.server = server;
    this.host = host;
  }

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Answer> {
    const target = new URL(url, 'http://unused');
    const headers: Record<string, string> = { host: this.host, accept: 'text/html' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const answer = await send(this.server, target.pathname + target.search, headers, { ...init, body });
    for (const line of answer.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    return answer;
  }
}

/** Every string in a document that is an absolute URL, by its path in the document. */
function urlsIn(value: unknown, path = ''): Record<string, string> {
  // Grant types are names that look like URLs (Auth0's `http://auth0.com/oauth/grant-type/password-realm`).
  if (path === 'grant_types_supported') return {};
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? { [path]: value } : {};
  if (value === null || typeof value !== 'object') return {};
  return Object.assign(
    {},
    ...Object.entries(value).map(([key, inner]) => urlsIn(inner, path ? `${path}.${key}` : key)),
  );
}

/** The discovery document's URLs as they must be: issuer from the primary domain, endpoints on `origin`. */
const expectedUrls = (issuer: string, origin: string) => ({
  issuer,
  authorization_endpoint: `${origin}/authorize`,
  token_endpoint: `${origin}/oauth/token`,
  userinfo_endpoint: `${origin}/userinfo`,
  jwks_uri: `${origin}/.well-known/jwks.json`,
  end_session_endpoint: `${origin}/oidc/logout`,
  revocation_endpoint: `${origin}/oauth/revoke`,
  introspection_endpoint: `${origin}/oauth/token/introspection`,
  pushed_authorization_request_endpoint: `${origin}/oauth/par`,
});

/** Discovery and the JWKS as a client with these headers gets them; both must be cacheable for 5 minutes. */
async function published(server: OidcTestServer, headers: Record<string, string>) {
  const discovery = await send(server, '/.well-known/openid-configuration', headers);
  assert.equal(discovery.status, 200, discovery.body);
  assert.equal(discovery.headers['cache-control'], 'public, max-age=300');
  const jwks = await send(server, '/.well-known/jwks.json', headers);
  assert.equal(jwks.status, 200, jwks.body);
  assert.equal(jwks.headers['cache-control'], 'public, max-age=300');
  const kids = (JSON.parse(jwks.body) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
  return { urls: urlsIn(JSON.parse(discovery.body)), kids };
}

/** A second tenant with two custom domains (the first is its primary domain, its issuer's host). */
async function addAcme(server: OidcTestServer) {
  const acme = await server.storage.tenants.create({
    name: 'acme',
    domains: ['login.acme.test', 'auth.acme.test'],
  });
  await server.storage.signingKeys.create(acme.id, { alg: 'RS256', use: 'sig', state: 'current' });
  return acme;
}

describe('discovery and the JWKS name only the tenant’s own domains', () => {
  let server: OidcTestServer;
  let proxied: OidcTestServer;
  let origin: string;
  before(async () => {
    [server, proxied] = await Promise.all([
      startOidcServer(),
      startOidcServer({ TESSERA_TRUST_PROXY: '127.0.0.1' }),
    ]);
    await Promise.all([addAcme(server), addAcme(proxied)]);
    origin = new URL(server.issuer).origin;
  });
  after(() => Promise.all([server?.stop(), proxied?.stop()]));

  it('answers an unknown Host with the default tenant’s URLs, every one of them, cacheable for 5 minutes', async () => {
    const own = await published(server, { host: new URL(server.issuer).host });
    assert.deepEqual(own.urls, expectedUrls(server.issuer, origin));
    for (const host of [EVIL, `${EVIL}:443`, `127.0.0.1:${new URL(server.url).port}`, 'bad host/../x']) {
      const { urls, kids } = await published(server, { host });
      assert.deepEqual(urls, expectedUrls(server.issuer, origin), host);
      assert.deepEqual(kids, own.kids, `${host}: the default tenant's keys`);
    }
  });

  it('ignores X-Forwarded-Host and -Proto from a client that is not a trusted proxy', async () => {
    for (const forwarded of [EVIL, 'login.acme.test']) {
      const { urls } = await published(server, {
        host: EVIL,
        'x-forwarded-host': forwarded,
        'x-forwarded-proto': 'https',
      });
      assert.deepEqual(urls, expectedUrls(server.issuer, origin), forwarded);
    }
  });

  it('lets a trusted proxy pick only among the tenant’s own domains, never build a URL from another host', async () => {
    const proxiedOrigin = new URL(proxied.issuer).origin;
    const via = (forwarded: string) =>
      published(proxied, { host: 'localhost', 'x-forwarded-host': forwarded, 'x-forwarded-proto': 'https' });
    assert.deepEqual((await via(EVIL)).urls, expectedUrls(proxied.issuer, proxiedOrigin));
    assert.deepEqual(
      (await via('auth.acme.test')).urls,
      expectedUrls('http://login.acme.test/', 'http://auth.acme.test'),
      'the second custom domain, with the public scheme (http here), not the forwarded one',
    );
    assert.deepEqual(
      (await via('login.acme.test')).urls,
      expectedUrls('http://login.acme.test/', 'http://login.acme.test'),
    );
  });

  it('gives a second tenant its own URLs and keys on each of its custom domains', async () => {
    const primary = await published(server, { host: 'login.acme.test' });
    assert.deepEqual(primary.urls, expectedUrls('http://login.acme.test/', 'http://login.acme.test'));
    for (const host of ['auth.acme.test', 'AUTH.ACME.TEST.', 'auth.acme.test:8443']) {
      const { urls, kids } = await published(server, { host });
      assert.deepEqual(urls, expectedUrls('http://login.acme.test/', 'http://auth.acme.test'), host);
      assert.deepEqual(kids, primary.kids, host);
    }
    const fallback = await published(server, { host: EVIL });
    assert.notDeepEqual(primary.kids, fallback.kids, 'acme signs with its own keys');
  });
});

describe('a login and logout driven with a hostile Host header stay on the tenant’s domain', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  let origin: string;
  const carol = { username: 'carol@example.com', password: 'carol has a long password' };
  before(async () => {
    ({ server, app, config } = await startOidcSetup({ users: [carol] }));
    origin = new URL(server.issuer).origin;
    const id = await deployAction(
      server.storage,
      server.tenantId,
      'show hostname',
      `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim(${JSON.stringify(HOSTNAME_CLAIM)}, event.request.hostname);
      };`,
    );
    await bindActions(server.storage, server.tenantId, [id]);
  });
  after(() => server?.stop());

  /** /authorize → login page → login POST → resume → callback, every request saying Host: evil.example. */
  async function hostileLogin(browser: HostileBrowser) {
    const authorization = await authorizationRequest(config);
    const start = await browser.go(authorization.url.href);
    assert.equal(start.status, 303, start.body);
    const loginPage = new URL(start.headers.location!, origin);
    assert.equal(loginPage.origin, origin, 'the login page redirect');
    const page = await browser.go(loginPage.href);
    assert.equal(page.status, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const posted = await browser.go(loginPage.href, {
      method: 'POST',
      form: { _csrf: csrf, username: carol.username, password: carol.password },
    });
    assert.equal(posted.status, 303, posted.body);
    const resume = new URL(posted.headers.location!);
    assert.match(resume.href, new RegExp(`^${origin}/authorize/[\\w-]+$`), 'the resume URL');
    const back = await browser.go(resume.href);
    assert.equal(back.status, 303, back.body);
    assert.ok(back.headers.location!.startsWith(`${REDIRECT_URI}?`), back.headers.location);
    return authorization.redeem(back.headers.location!);
  }

  it('redirects to the login page and the resume URL on the tenant’s domain, and actions see its hostname', async () => {
    const browser = new HostileBrowser(server, EVIL);
    const tokens = await hostileLogin(browser);
    assert.equal(tokens.claims()![HOSTNAME_CLAIM], 'localhost');
    assert.equal(tokens.claims()!.iss, server.issuer);

    // A second login through the session (SSO: the trigger runs inside oidc-provider's grant step).
    const authorization = await authorizationRequest(config);
    const sso = await browser.go(authorization.url.href);
    assert.equal(sso.status, 303, sso.body);
    assert.ok(sso.headers.location!.startsWith(`${REDIRECT_URI}?`), sso.headers.location);
    const again = await authorization.redeem(sso.headers.location!);
    assert.equal(again.claims()![HOSTNAME_CLAIM], 'localhost');
  });

  it('posts the logout confirmation to the tenant’s domain, and /v2/logout redirects nowhere else', async () => {
    const browser = new HostileBrowser(server, EVIL);
    await hostileLogin(browser);
    const page = await browser.go(`/oidc/logout?client_id=${app.clientId}`);
    assert.equal(page.status, 200, page.body);
    const action = /<form[^>]+action="([^"]+)"/.exec(page.body)?.[1];
    assert.equal(action, `${origin}/oidc/logout/confirm`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body)![1]!;
    const confirmed = await browser.go(action, { method: 'POST', form: { xsrf, logout: 'yes' } });
    assert.equal(confirmed.status, 303, confirmed.body);
    assert.equal(confirmed.headers.location, `${origin}/oidc/logout/success`);

    await hostileLogin(browser);
    const bye = 'https://app.example.com/bye';
    const returned = await browser.go(
      `/v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: bye })}`,
    );
    assert.equal(returned.status, 302);
    assert.equal(returned.headers.location, bye);
    const plain = await browser.go('/v2/logout');
    assert.equal(plain.status, 302);
    assert.equal(plain.headers.location, '/oidc/logout/success', 'a path, on whatever host the browser used');
  });
});
