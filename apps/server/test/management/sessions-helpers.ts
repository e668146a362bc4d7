import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import { freePort } from '../helpers.ts';
import {
  authorizationRequest,
  Browser,
  createApp,
  createUsers,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  type RefreshExchange,
  refreshExchange,
} from '../oidc/helpers.ts';
import { type ManagementHarness, startManagement } from './helpers.ts';
import { newEmail, PASSWORD } from './users-helpers.ts';

/**
 * A Management API harness whose tenant is also reachable as an OIDC issuer (its domain is the
 * server's own address), so users log in through the real pages and apps hold real refresh tokens.
 */
export async function startSessionsHarness(): Promise<{ h: ManagementHarness; server: OidcTestServer }> {
  const port = await freePort();
  const h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
  return { h, server: { ...h.server, issuer: h.issuer, tenantId: h.tenantId } };
}

export interface App {
  clientId: string;
  clientSecret: string;
  config: oidc.Configuration;
}

/** A first-party regular web app with rotating refresh tokens (oidc/helpers.ts createApp). */
export async function newApp(server: OidcTestServer): Promise<App> {
  const app = await createApp(server);
  return { ...app, config: await discover(server, app.clientId, app.clientSecret) };
}

/** A new user of the tenant, with the credentials the login form takes. */
export async function newUser(server: OidcTestServer) {
  const person = { username: newEmail('session'), password: PASSWORD };
  const [user] = await createUsers(server, person);
  return { ...person, userId: user.user_id };
}

/** Logs `person` in to `app` in `browser` through the real pages (offline_access): the app's refresh token. */
export async function signIn(
  server: OidcTestServer,
  app: App,
  browser: Browser,
  person: { username: string; password: string },
) {
  const tokens = await loginWithCode(server, app.config, browser, person);
  assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  return tokens.refresh_token;
}

/** Whether the browser's session still signs it in: /authorize answers the app at once, or shows the login page. */
export async function signedIn(app: App, browser: Browser): Promise<boolean> {
  const request = await authorizationRequest(app.config);
  const { response, url } = await browser.follow(request.url.href);
  if (url.startsWith(REDIRECT_URI)) return true;
  assert.equal(response.status, 200, `the login page (${url})`);
  assert.match(await response.text(), /name="password"/);
  return false;
}

export type Exchange = RefreshExchange;

/** A refresh exchange as the confidential app sends it, answered as raw status and body. */
export const exchange = (server: OidcTestServer, app: App, refreshToken: string): Promise<Exchange> =>
  refreshExchange(server.issuer, app, refreshToken);

/** The exchange succeeded: the app's next refresh token (the same one when the client does not rotate). */
export function refreshed(answer: Exchange, what: string): string {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  return (answer.body.refresh_token as string | undefined) ?? '';
}

export function refused(answer: Exchange, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error, 'invalid_grant', what);
}

export { Browser };
