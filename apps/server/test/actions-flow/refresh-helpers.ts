import assert from 'node:assert/strict';
import type { Storage } from '@tessera/storage';
import { decodeJwt, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import {
  Browser,
  discover,
  loginWithCode,
  managementToken,
  type OidcTestServer,
  REDIRECT_URI,
} from '../oidc/helpers.ts';
import { bindActions, deployAction } from './helpers.ts';

/**
 * Refresh-token exchanges as a real app makes them (openid-client against the real token endpoint),
 * for the tests of what the post-login trigger does on one (docs/actions.md#what-runs-on-a-refresh-token-exchange).
 */

/** Where a test creates things: a server's tenant, or a cluster's (its issuer is the balancer's). */
export type Tenant = { storage: Storage; tenantId: string; issuer: string };

export interface RefreshApp {
  name: string;
  clientId: string;
  clientSecret: string;
  rotating: boolean;
  /** openid-client for this app; `userAgent` changes the User-Agent of its next requests. */
  config: oidc.Configuration;
  userAgent: string | undefined;
}

export interface RefreshAppOptions {
  /** The client's name: actions can tell apps apart by `event.client.name`. */
  name?: string;
  rotating: boolean;
  /** Auth0's `refresh_token.token_lifetime` / `idle_token_lifetime` / `leeway`, in seconds. */
  tokenLifetime?: number;
  idleTokenLifetime?: number;
  leeway?: number;
  /** openid-client from an existing discovery (a cluster pins it to one process); ours otherwise. */
  discover?: (clientId: string, clientSecret: string) => Promise<oidc.Configuration>;
}

/**
 * A confidential regular web app allowed `refresh_token`, with Auth0's expiring refresh tokens,
 * rotating or not. Its openid-client sends the app's `userAgent` when one is set.
 */
export async function createRefreshApp(tenant: Tenant, options: RefreshAppOptions): Promise<RefreshApp> {
  const name = options.name ?? (options.rotating ? 'Rotating App' : 'Non-rotating App');
  const { client, clientSecret } = await tenant.storage.clients.create(tenant.tenantId, {
    name,
    appType: 'regular_web',
    callbacks: [REDIRECT_URI],
    allowedLogoutUrls: ['https://app.example.com/bye'],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'client_secret_post',
    isFirstParty: true,
    refreshToken: {
      rotation_type: options.rotating ? 'rotating' : 'non-rotating',
      expiration_type: 'expiring',
      ...(options.tokenLifetime === undefined ? {} : { token_lifetime: options.tokenLifetime }),
      ...(options.idleTokenLifetime === undefined ? {} : { idle_token_lifetime: options.idleTokenLifetime }),
      ...(options.leeway === undefined ? {} : { leeway: options.leeway }),
    },
  });
  const config = options.discover
    ? await options.discover(client.clientId, clientSecret)
    : await discover(tenant as OidcTestServer, client.clientId, clientSecret);
  const app: RefreshApp = {
    name,
    clientId: client.clientId,
    clientSecret,
    rotating: options.rotating,
    config,
    userAgent: undefined,
  };
  // Wraps whatever fetch the configuration already had (a cluster's routing one, say).
  const inner = config[oidc.customFetch] ?? ((url, init) => fetch(url, init as RequestInit));
  config[oidc.customFetch] = (url, init) => {
    const headers = new Headers(init.headers);
    if (app.userAgent !== undefined) headers.set('user-agent', app.userAgent);
    return inner(url, { ...init, headers: Object.fromEntries(headers) });
  };
  return app;
}

export interface RefreshLogin {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  refreshToken: string;
  /** The login's ID token claims (its `sid` is the session's id). */
  idClaims: JWTPayload;
  /** The browser the login ran in (its session cookie: an SSO login in it shares the grant). */
  browser: Browser;
}

/**
 * A login through the real pages with offline_access, ending with the app's refresh token. `browser`
 * defaults to a new one; `params` adds authorization parameters (an `audience`, another `scope`).
 */
export async function loginForRefresh(
  tenant: Tenant,
  app: RefreshApp,
  person: { username: string; password: string },
  params: Record<string, string> = {},
  browser: Browser = new Browser(tenant.issuer),
): Promise<RefreshLogin> {
  const tokens = await loginWithCode(tenant as OidcTestServer, app.config, browser, person, params);
  assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  assert.ok(tokens.id_token, 'an ID token');
  return { tokens, refreshToken: tokens.refresh_token, idClaims: decodeJwt(tokens.id_token), browser };
}

export interface Refreshed {
  /** The token the app presents next: the successor when the client rotates, else the same one. */
  refreshToken: string;
  id: JWTPayload;
  /** The access token's claims when it is a JWT (an audience was requested), else undefined. */
  access: JWTPayload | undefined;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
}

/** A successful exchange with openid-client's refreshTokenGrant, decoded. */
export async function refresh(
  app: RefreshApp,
  refreshToken: string,
  parameters: Record<string, string> = {},
): Promise<Refreshed> {
  const tokens = await oidc.refreshTokenGrant(app.config, refreshToken, parameters);
  assert.ok(tokens.id_token, 'the exchange answers an ID token');
  const next = tokens.refresh_token ?? refreshToken;
  if (app.rotating) assert.notEqual(next, refreshToken, 'a rotating client gets a successor');
  else assert.equal(next, refreshToken, 'a non-rotating client keeps its token');
  const jwt = tokens.access_token.split('.').length === 3;
  return {
    refreshToken: next,
    id: decodeJwt(tokens.id_token),
    access: jwt ? decodeJwt(tokens.access_token) : undefined,
    tokens,
  };
}

export interface Refusal {
  status: number;
  error: string;
  description: string | undefined;
}

/** The token endpoint's refusal of an exchange (openid-client's ResponseBodyError), as status and body. */
export async function refusal(app: RefreshApp, refreshToken: string): Promise<Refusal> {
  try {
    await oidc.refreshTokenGrant(app.config, refreshToken);
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError)
      return { status: error.status, error: error.error, description: error.error_description };
    throw error;
  }
  assert.fail('the exchange was answered with tokens');
}

/** Asserts the exchange is refused with `invalid_grant` (and this description, when given). */
export async function assertRefused(
  app: RefreshApp,
  refreshToken: string,
  description?: string,
  message?: string,
): Promise<Refusal> {
  const answer = await refusal(app, refreshToken);
  assert.equal(answer.status, 400, message);
  assert.equal(answer.error, 'invalid_grant', message);
  if (description !== undefined) assert.equal(answer.description, description, message);
  return answer;
}

let deployed = 0;

/**
 * Deploys one post-login action per code and binds them in order, replacing the trigger's bindings
 * (none unbinds everything). Each deployment is a new action with a unique name.
 */
export async function bindCode(tenant: Tenant, ...codes: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const code of codes)
    ids.push(await deployAction(tenant.storage, tenant.tenantId, `refresh-${++deployed}`, code));
  await bindActions(tenant.storage, tenant.tenantId, ids);
  return ids;
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON bodies of the API
  body: any;
}

/** The Management API as an admin's tool calls it, with a token of the first run's machine. */
export async function managementApi(server: OidcTestServer) {
  const token = await managementToken(server);
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await fetch(`${server.issuer}api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
}

/** A user's path in the Management API. */
export const userPath = (userId: string) => `/users/${encodeURIComponent(userId)}`;

/** How many executions the tenant has recorded (did an exchange run the actions at all?). */
export async function executionCount(tenant: Tenant): Promise<number> {
  const [row] = await tenant.storage.db.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM executions WHERE tenant_id = $1',
    [tenant.tenantId],
  );
  return row?.n ?? 0;
}
