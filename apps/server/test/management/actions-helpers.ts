import assert from 'node:assert/strict';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import { loginToCallback } from '../actions-flow/helpers.ts';
import { freePort } from '../helpers.ts';
import { Browser, createApp, discover, type OidcTestServer } from '../oidc/helpers.ts';
import { type ManagementHarness, startManagement } from './helpers.ts';

export const POST_LOGIN = [{ id: 'post-login' as const, version: 'v3' }];

/** An action that puts `value` in the ID token under https://example.com/version. */
export const claimCode = (value: string) =>
  `exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('https://example.com/version', ${JSON.stringify(value)});\n};\n`;

export interface LoginHarness extends ManagementHarness {
  /** A real browser login of a real user through the pages; resolves with the verified ID token. */
  login(): Promise<JWTPayload>;
  /** The same login, ending wherever it ends: the parameters of the app's callback (error or code). */
  loginCallback(): Promise<Record<string, string>>;
  userId: string;
  user: { username: string; password: string };
}

/**
 * The Management harness whose issuer is also where the server listens, so a test can both drive
 * the Management API through the auth0 SDK (its `localhost:3000` requests go to the real port) and
 * log a user in through the real pages at the issuer.
 */
export async function startWithLogin(env: Record<string, string> = {}): Promise<LoginHarness> {
  const port = await freePort();
  const h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}`, ...env });
  try {
    const server: OidcTestServer = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    const app = await createApp(server);
    const user = { username: 'ada@example.com', password: 'ada has a long password' };
    const { user_id: userId } = await h.server.storage.users.create(h.tenantId, {
      email: user.username,
      password: user.password,
    });
    let config: oidc.Configuration | undefined;
    const jwks = createRemoteJWKSet(new URL(`${h.issuer}.well-known/jwks.json`));
    return Object.assign(h, {
      userId,
      user,
      async loginCallback() {
        config ??= await discover(server, app.clientId, app.clientSecret);
        return (await loginToCallback(config, new Browser(h.issuer), user)).params;
      },
      async login() {
        config ??= await discover(server, app.clientId, app.clientSecret);
        const done = await loginToCallback(config, new Browser(h.issuer), user);
        assert.equal(done.params.error, undefined, JSON.stringify(done.params));
        const tokens = await done.redeem();
        return (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
      },
    });
  } catch (error) {
    await h.stop();
    throw error;
  }
}

/** The number of rows of a table in the harness's tenant (proof that nothing was half-written). */
export async function countRows(h: ManagementHarness, table: string): Promise<number> {
  const [row] = await h.server.storage.db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
    [h.tenantId],
  );
  return row!.n;
}
