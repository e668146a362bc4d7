import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { bindActions, deployAction } from '../actions-flow/helpers.ts';
import {
  authorizationRequest,
  Browser,
  loginWithCode,
  managementToken,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

const SESSION = 'tessera_session';
const PASSWORD = 'a long enough password';

/**
 * docs/security.md#47: a browser session whose user was blocked or deleted afterwards (through the
 * Management API) must not break `/authorize` for the rest of the session's life. As Auth0: the session
 * ends, a blocked user's app hears `access_denied` / "user is blocked", a deleted user's browser is
 * simply asked to log in again.
 */
describe('a session whose user was blocked or deleted', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let adminToken: string;

  before(async () => {
    // Roomy action budgets: a sandbox's first run on a loaded CI machine must not fail the login.
    ({ server, config } = await startOidcSetup({
      env: { TESSERA_ACTIONS_TIMEOUT_MS: '60000', TESSERA_ACTIONS_CPU_MS: '30000' },
    }));
    adminToken = await managementToken(server);
  });
  after(() => server.stop());

  /** What an administrator does through the Management API. */
  async function manage(method: string, userId: string, body?: unknown) {
    const response = await fetch(`${server.issuer}api/v2/users/${encodeURIComponent(userId)}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, method === 'DELETE' ? 204 : 200, await response.clone().text());
  }
  const block = (userId: string, blocked = true) => manage('PATCH', userId, { blocked });
  const remove = (userId: string) => manage('DELETE', userId);

  /** A new user signed in through the real pages: its browser (with the session cookie) and tokens. */
  async function signedIn(scope = 'openid profile') {
    const credentials = { username: `u-${randomBytes(5).toString('hex')}@example.com`, password: PASSWORD };
    await server.storage.users.create(server.tenantId, { email: credentials.username, password: PASSWORD });
    const browser = new Browser(server.issuer);
    const tokens = await loginWithCode(server, config, browser, credentials, { scope });
    const sessionId = browser.cookies.get(SESSION);
    assert.ok(sessionId, 'a session cookie');
    return { browser, tokens, sessionId, userId: String(tokens.claims()!.sub), credentials };
  }

  const sessionStored = async (sessionId: string) =>
    (await server.kv.get(`t:${server.tenantId}:oidc:Session:id:${sessionId}`)) !== undefined;
  const introspect = async (token: string) => (await oidc.tokenIntrospection(config, token)).active;

  /** The redirect back to the app, as openid-client would receive it, with every parameter. */
  async function callbackOf(response: Response) {
    assert.ok(response.status === 302 || response.status === 303, `a redirect, got ${response.status}`);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    return { url: location, params: Object.fromEntries(location.searchParams) };
  }

  /** The session is gone: no cookie, no record, and the grants bound to it were revoked (as logout does). */
  async function assertSessionEnded(signed: Awaited<ReturnType<typeof signedIn>>) {
    assert.equal(signed.browser.cookies.get(SESSION), undefined, 'the session cookie is cleared');
    assert.equal(await sessionStored(signed.sessionId), false, 'the session record is gone');
    assert.equal(await introspect(signed.tokens.access_token), false, 'the session-bound token is revoked');
  }

  it('a blocked user: the app receives access_denied "user is blocked" with its state, and the session ends', async () => {
    const signed = await signedIn();
    assert.equal(await introspect(signed.tokens.access_token), true);
    await block(signed.userId);

    const request = await authorizationRequest(config, { scope: 'openid profile' });
    const callback = await callbackOf(await signed.browser.fetch(request.url.href));
    assert.deepEqual(callback.params, {
      error: 'access_denied',
      error_description: 'user is blocked',
      state: request.state,
      iss: server.issuer,
    });
    await assert.rejects(request.redeem(callback.url.href), (error: unknown) => {
      assert.ok(error instanceof oidc.AuthorizationResponseError);
      assert.equal(error.error, 'access_denied');
      assert.equal(error.error_description, 'user is blocked');
      return true;
    });
    await assertSessionEnded(signed);

    // Unblocking does not bring the session back: the next authorization asks for a login.
    await block(signed.userId, false);
    const again = await signed.browser.follow((await authorizationRequest(config)).url.href);
    assert.equal(again.response.status, 200);
    assert.match(again.url, /\/u\/login\?state=/);
  });

  it('a blocked user with prompt=none: access_denied "user is blocked" too, and the session ends', async () => {
    const signed = await signedIn();
    await block(signed.userId);
    const request = await authorizationRequest(config, { scope: 'openid profile', prompt: 'none' });
    const callback = await callbackOf(await signed.browser.fetch(request.url.href));
    assert.deepEqual(callback.params, {
      error: 'access_denied',
      error_description: 'user is blocked',
      state: request.state,
      iss: server.issuer,
    });
    await assertSessionEnded(signed);
    const silent = await authorizationRequest(config, { scope: 'openid profile', prompt: 'none' });
    const next = await callbackOf(await signed.browser.fetch(silent.url.href));
    assert.equal(next.params.error, 'login_required', 'no session any more');
  });

  it('a blocked user with prompt=login: the session ends and the login page is shown (someone else may log in)', async () => {
    const signed = await signedIn();
    await block(signed.userId);
    const other = await signedIn();
    const request = await authorizationRequest(config, { scope: 'openid profile', prompt: 'login' });
    const start = await signed.browser.follow(request.url.href);
    assert.equal(start.response.status, 200);
    assert.match(start.url, /\/u\/login\?state=/);
    await assertSessionEnded(signed);
    const done = await signed.browser.login(start.url, other.credentials.username, PASSWORD);
    const tokens = await request.redeem(done.url);
    assert.equal(tokens.claims()!.sub, other.userId);
  });

  it('a deleted user: the session ends and the login page is shown, where another user logs in', async () => {
    const signed = await signedIn();
    const other = await signedIn();
    await remove(signed.userId);

    const request = await authorizationRequest(config, { scope: 'openid profile' });
    const start = await signed.browser.follow(request.url.href);
    assert.equal(start.response.status, 200, 'no server error');
    assert.match(start.url, /\/u\/login\?state=/);
    await assertSessionEnded(signed);

    const done = await signed.browser.login(start.url, other.credentials.username, PASSWORD);
    const tokens = await request.redeem(done.url);
    assert.equal(tokens.claims()!.sub, other.userId);
    assert.notEqual(signed.browser.cookies.get(SESSION), signed.sessionId, 'a new session');
  });

  it('a deleted user with prompt=none: login_required with the state, and the session ends', async () => {
    const signed = await signedIn();
    await remove(signed.userId);
    const request = await authorizationRequest(config, { scope: 'openid profile', prompt: 'none' });
    const callback = await callbackOf(await signed.browser.fetch(request.url.href));
    assert.deepEqual(callback.params, {
      error: 'login_required',
      error_description: 'End-User authentication is required',
      state: request.state,
      iss: server.issuer,
    });
    await assertSessionEnded(signed);
  });

  it('with post-login actions bound: a blocked or deleted user runs no action and gets no server error', async () => {
    const blocked = await signedIn();
    const deleted = await signedIn();
    const actionId = await deployAction(
      server.storage,
      server.tenantId,
      'claims',
      `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('seen', event.user.user_id); };`,
    );
    await bindActions(server.storage, server.tenantId, [actionId]);
    try {
      const executions = async () =>
        Number(
          (
            await server.storage.db.sql.query<{ count: string }>(
              'SELECT count(*) AS count FROM executions WHERE tenant_id = $1',
              [server.tenantId],
            )
          )[0]!.count,
        );
      // The trigger runs on an SSO authorization of a live session.
      const before = await executions();
      const sso = await authorizationRequest(config, { scope: 'openid profile' });
      const ssoCallback = await callbackOf(await blocked.browser.fetch(sso.url.href));
      assert.equal((await sso.redeem(ssoCallback.url.href)).claims()!.seen, blocked.userId);
      assert.equal(await executions(), before + 1);

      await block(blocked.userId);
      await remove(deleted.userId);
      const refused = await authorizationRequest(config, { scope: 'openid profile' });
      const callback = await callbackOf(await blocked.browser.fetch(refused.url.href));
      assert.equal(callback.params.error, 'access_denied');
      assert.equal(callback.params.error_description, 'user is blocked');
      const login = await deleted.browser.follow((await authorizationRequest(config)).url.href);
      assert.equal(login.response.status, 200);
      assert.match(login.url, /\/u\/login\?state=/);
      assert.equal(await executions(), before + 1, 'no action ran for either');
    } finally {
      await bindActions(server.storage, server.tenantId, []);
    }
  });
});
