import assert from 'node:assert/strict';
import { managementAudience, type PostLoginPort } from '@tessera/core';
import * as oidc from 'openid-client';
import { freePort, startServer, type TestServer } from '../helpers.ts';

export interface OidcTestServer extends TestServer {
  issuer: string;
  tenantId: string;
}

/** A real server whose default tenant's issuer is its own address (http://localhost:<port>/). */
export async function startOidcServer(
  env: Record<string, string> = {},
  postLogin?: PostLoginPort,
): Promise<OidcTestServer> {
  const port = await freePort();
  const server = await startServer({
    env: { PORT: String(port), TESSERA_DOMAIN: `localhost:${port}`, ...env },
    postLogin,
  });
  return { ...server, issuer: server.firstRun.issuer, tenantId: server.firstRun.tenant.id };
}

export const REDIRECT_URI = 'https://app.example.com/callback';

/** A browser's cookie jar for one origin, enough for the login pages and the provider's cookies. */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly origin: string;
  /** `origin` may be any URL of the site (the issuer, say). */
  constructor(origin: string) {
    this.origin = new URL(origin).origin;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects on our origin until one leaves it (the app's redirect_uri) or a page answers. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
    let response = await this.fetch(url, init);
    let current = new URL(url, this.origin).href;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      current = new URL(response.headers.get('location')!, current).href;
      if (!current.startsWith(this.origin)) return { response, url: current };
      response = await this.fetch(current);
    }
    return { response, url: current };
  }

  /** Fills and posts the login form of the page at `loginUrl`. */
  async login(loginUrl: string, username: string, password: string) {
    const page = await this.fetch(loginUrl);
    assert.equal(page.status, 200);
    const { csrf, action } = formOf(await page.text());
    return postForm(this, action, { _csrf: csrf, username, password });
  }
}

/** A browser that says what it accepts as a real one does (oidc-provider answers errors in that type). */
export class WebBrowser extends Browser {
  override fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    return super.fetch(url, { ...init, headers });
  }
}

/** A person as the login form takes them: `username` is also the email the user is created with. */
export interface Person {
  username: string;
  password: string;
  name?: string;
}

export interface AppOptions {
  appType?: string;
  grantTypes?: string[];
  callbacks?: string[];
  refreshToken?: Record<string, unknown>;
  tokenEndpointAuthMethod?: string;
  isFirstParty?: boolean;
}

/** Where a test creates things: a server's tenant (or a cluster's). */
type TenantStore = Pick<OidcTestServer, 'storage' | 'tenantId'>;

/**
 * The start of most OIDC tests: a real server with its default tenant, one app (createApp's
 * first-party regular web app with a secret, unless `app` says otherwise), openid-client configured
 * for that app, and `users` created in order. The caller stops `server` in its `after`.
 */
export async function startOidcSetup<const People extends Person[] = []>(
  options: { env?: Record<string, string>; postLogin?: PostLoginPort; app?: AppOptions; users?: People } = {},
) {
  const server = await startOidcServer(options.env, options.postLogin);
  try {
    const app = await createApp(server, options.app);
    const config = await discover(server, app.clientId, app.clientSecret);
    const users = await createUsers(server, ...((options.users ?? []) as People));
    return { server, app, config, users };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

type StoredUser = Awaited<ReturnType<OidcTestServer['storage']['users']['create']>>;

/** Creates each person as a user of the tenant, in order; returns the users as stored, in that order. */
export async function createUsers<const People extends Person[]>(
  server: TenantStore,
  ...people: People
): Promise<{ [K in keyof People]: StoredUser }> {
  const users: StoredUser[] = [];
  for (const { username, password, name } of people) {
    users.push(
      await server.storage.users.create(server.tenantId, {
        email: username,
        password,
        ...(name === undefined ? {} : { name }),
      }),
    );
  }
  return users as { [K in keyof People]: StoredUser };
}

/**
 * A second tenant of the same server, reached as `127.0.0.1:<port>` (the Host header picks the
 * tenant), with a current signing key: the same server seen through that tenant's issuer.
 */
export async function addLoopbackTenant(
  server: OidcTestServer,
  name: string,
  settings: Record<string, unknown> = {},
): Promise<OidcTestServer> {
  const port = new URL(server.issuer).port;
  const tenant = await server.storage.tenants.create({ name, domains: [`127.0.0.1:${port}`], settings });
  await server.storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
  return { ...server, issuer: `http://127.0.0.1:${port}/`, tenantId: tenant.id };
}

/** A machine (client credentials) granted `scopes` of the API `audience`. */
export async function createMachine(
  server: TenantStore,
  audience: string,
  scopes: string[],
  name = 'Worker',
) {
  const { client, clientSecret } = await server.storage.clients.create(server.tenantId, {
    name,
    appType: 'non_interactive',
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_post',
    grants: [{ audience, scopes }],
  });
  return { clientId: client.clientId, clientSecret };
}

/** A Management API token of the machine the first run created (every scope), as an admin's tool gets it. */
export async function managementToken(server: OidcTestServer): Promise<string> {
  const created = server.firstRun.created!;
  const response = await fetch(`${server.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: created.clientId,
      client_secret: created.clientSecret,
      audience: managementAudience(server.issuer),
    }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A regular web app of the tenant (first-party, rotating refresh tokens), with its secret. */
export async function createApp(server: TenantStore, options: AppOptions = {}) {
  const { client, clientSecret } = await server.storage.clients.create(server.tenantId, {
    name: 'Test App',
    appType: options.appType ?? 'regular_web',
    callbacks: options.callbacks ?? [REDIRECT_URI],
    allowedLogoutUrls: ['https://app.example.com/bye'],
    grantTypes: options.grantTypes ?? ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: options.tokenEndpointAuthMethod ?? 'client_secret_post',
    isFirstParty: options.isFirstParty ?? true,
    refreshToken: options.refreshToken ?? { rotation_type: 'rotating', expiration_type: 'expiring' },
  });
  return { clientId: client.clientId, clientSecret };
}

/** openid-client configured exactly as an app configured for Auth0 would be, pointed at our issuer. */
export async function discover(server: OidcTestServer, clientId: string, clientSecret?: string) {
  return oidc.discovery(
    new URL(server.issuer),
    clientId,
    clientSecret ? { client_secret: clientSecret } : undefined,
    clientSecret ? oidc.ClientSecretPost(clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** An authorization request as openid-client builds it, with what the app keeps to redeem the code. */
export async function authorizationRequest(config: oidc.Configuration, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return {
    url,
    state,
    redeem: (callback: string) =>
      oidc.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
  };
}

/** A page's form: its CSRF token and where it posts. */
export function formOf(html: string) {
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form[^>]+action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(csrf && action, 'the page has a form with a CSRF token');
  return { csrf, action };
}

/** Posts a form the way a browser does and follows the redirects. */
export const postForm = (browser: Browser, action: string, fields: Record<string, string>) =>
  browser.follow(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

/** A full authorization-code + PKCE login through the real pages; returns the token response. */
export async function loginWithCode(
  _server: OidcTestServer,
  config: oidc.Configuration,
  browser: Browser,
  credentials: { username: string; password: string },
  params: Record<string, string> = {},
) {
  const request = await authorizationRequest(config, {
    scope: 'openid profile email offline_access',
    ...params,
  });
  const start = await browser.follow(request.url.href);
  assert.equal(start.response.status, 200, `the login page (${start.url})`);
  const done = await browser.login(start.url, credentials.username, credentials.password);
  assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url} (${done.response.status})`);
  return request.redeem(done.url);
}

/** A refresh exchange as a confidential app sends it (`client_secret_post`), answered as raw HTTP. */
export async function refreshExchange(
  issuer: string,
  app: { clientId: string; clientSecret: string },
  refreshToken: string,
) {
  const response = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

export type RefreshExchange = Awaited<ReturnType<typeof refreshExchange>>;
