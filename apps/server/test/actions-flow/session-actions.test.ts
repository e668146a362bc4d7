import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAILED_DESCRIPTION } from '@tessera/triggers';
import type * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  managementToken,
  type OidcTestServer,
  REDIRECT_URI,
  refreshExchange,
  startOidcServer,
} from '../oidc/helpers.ts';
import { bindActions, deployAction, lastExecution, loginToCallback, recordedFailure } from './helpers.ts';

/**
 * docs/actions.md#session: `event.session` and `api.session.*` of post-login actions, through real
 * logins, SSO logins and refresh exchanges. What an action saw is read back from an ID token claim the
 * action sets; what it changed, from the session cookie, the next login's `event.session`, the
 * Management API and the refresh tokens of the session.
 */

const CLAIM = 'https://tessera.test/session';
/**
 * Puts `event.session` (and the refresh token's session id) in the ID token. Placed before an action's
 * own `api.session` calls: the run's metadata changes show in `event.session.metadata` at once.
 */
const RECORD = `api.idToken.setCustomClaim('${CLAIM}', {
  session: event.session ?? 'absent',
  protocol: event.transaction.protocol,
  refresh_session_id: event.refresh_token ? event.refresh_token.session_id ?? 'none' : 'n/a',
});`;
const ON_REFRESH = `event.transaction.protocol === 'oauth2-refresh-token'`;
const SESSION_COOKIE = 'tessera_session';
const HOUR = 3600_000;
const SLACK = 5_000;

interface EventSession {
  id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  authenticated_at: string;
  last_interacted_at: string;
  expires_at?: string;
  idle_expires_at?: string;
  clients: Array<{ client_id: string }>;
  cookie: { mode: string };
  metadata: Record<string, string>;
  device: Record<string, string>;
}
interface Recorded {
  session: EventSession | 'absent';
  protocol: string;
  refresh_session_id: string;
}

/** A browser that keeps every Set-Cookie line it received, and says which browser it is. */
class CookieBrowser extends Browser {
  readonly setCookies: string[] = [];
  userAgent = 'SessionTest/1.0';
  override async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('user-agent', this.userAgent);
    const response = await super.fetch(url, { ...init, headers });
    this.setCookies.push(...response.headers.getSetCookie());
    return response;
  }
  /** The last Set-Cookie line for `name`. */
  lastSetCookie(name: string): string | undefined {
    return this.setCookies.findLast((line) => line.startsWith(`${name}=`));
  }
  /** Another browser holding the same cookies (to look at a session twice without one look changing the other). */
  copy(): CookieBrowser {
    const other = new CookieBrowser(this.origin);
    for (const [name, value] of this.cookies) other.cookies.set(name, value);
    return other;
  }
}

const attributes = (line: string) =>
  Object.fromEntries(
    line
      .split(';')
      .slice(1)
      .map((part) => {
        const [name, ...value] = part.trim().split('=');
        return [name!.toLowerCase(), value.join('=')];
      }),
  );
/** The Expires of a Set-Cookie line in epoch ms, undefined for a cookie without one. */
const expiresOf = (line: string) => {
  const expires = attributes(line).expires;
  return expires === undefined ? undefined : Date.parse(expires);
};

/** The payload of an ID token the test just received from the server (no need to verify it again). */
const idTokenClaims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('api.session and event.session', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  let other: { clientId: string; clientSecret: string };
  let otherConfig: oidc.Configuration;
  let adminToken: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };
  let userId: string;
  let actions = 0;

  before(async () => {
    server = await startOidcServer();
    // Before the tenant's provider is first built: sessions end 2 h after the login, 1 h after last use.
    await server.storage.tenants.updateSettings(server.tenantId, {
      settings: { session_lifetime: 2, idle_session_lifetime: 1 },
    });
    app = await createApp(server);
    other = await createApp(server);
    config = await discover(server, app.clientId, app.clientSecret);
    otherConfig = await discover(server, other.clientId, other.clientSecret);
    userId = (
      await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password })
    ).user_id;
    adminToken = await managementToken(server);
  });
  beforeEach(() => bindActions(server.storage, server.tenantId, []));
  after(() => server?.stop());

  /** Deploys an action with this body and makes it the only bound one. */
  async function useAction(body: string) {
    const id = await deployAction(
      server.storage,
      server.tenantId,
      `session-${++actions}`,
      `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};`,
    );
    await bindActions(server.storage, server.tenantId, [id]);
  }

  /** A login through the login page in `browser` (no session yet), ending at the app. */
  const login = (browser: Browser, params: Record<string, string> = {}, appConfig = config) =>
    loginToCallback(appConfig, browser, ada, params);

  /** An authorization in a browser with a session: no page, straight back to the app. */
  async function sso(browser: Browser, params: Record<string, string> = {}, appConfig = config) {
    const request = await authorizationRequest(appConfig, params);
    const done = await browser.follow(request.url.href);
    const callback = new URL(done.url);
    assert.equal(
      callback.origin + callback.pathname,
      REDIRECT_URI,
      `an SSO login goes back to the app, got ${done.url} (${done.response.status})`,
    );
    return {
      params: Object.fromEntries(callback.searchParams),
      state: request.state,
      redeem: () => request.redeem(done.url),
    };
  }

  /** What `/authorize` does for this browser now: the login page, or the error the app receives. */
  async function authorizeShows(browser: Browser, params: Record<string, string> = {}) {
    const request = await authorizationRequest(config, params);
    const done = await browser.follow(request.url.href);
    if (done.response.status === 200 && /\/u\/login\?state=/.test(done.url)) return 'login page';
    const callback = new URL(done.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI, `${done.url} (${done.response.status})`);
    return callback.searchParams.get('error') ?? 'code';
  }

  const recorded = (tokens: { claims(): Record<string, unknown> | undefined }) =>
    tokens.claims()![CLAIM] as Recorded;
  const sessionOf = (tokens: { claims(): Record<string, unknown> | undefined }) => {
    const { session } = recorded(tokens);
    assert.notEqual(session, 'absent', 'event.session is present');
    return session as EventSession;
  };

  /** A refresh exchange as the app sends it, as raw status and body. */
  const refresh = (refreshToken: string) => refreshExchange(server.issuer, app, refreshToken);

  /** The session as the Management API shows it (status and body). */
  async function managedSession(id: string) {
    const response = await fetch(`${server.issuer}api/v2/sessions/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** The login page's login with the bound action failing: the generic denial, and the recorded message. */
  async function failedLogin(browser = new CookieBrowser(server.issuer)) {
    const done = await login(browser);
    assert.deepEqual(done.params, {
      error: 'access_denied',
      error_description: FAILED_DESCRIPTION,
      state: done.state,
      iss: server.issuer,
    });
    const record = await lastExecution(server.storage, server.tenantId);
    assert.equal(record.status, 'error');
    assert.equal(recordedFailure(record)?.kind, 'runtime');
    assert.equal(browser.cookies.get(SESSION_COOKIE), undefined, 'no session cookie');
    assert.equal(await authorizeShows(browser, { prompt: 'none' }), 'login_required', 'no session');
    return recordedFailure(record)?.message ?? '';
  }

  const plausible = (iso: string, from: number, to: number, what: string) => {
    const at = Date.parse(iso);
    assert.ok(at >= from - SLACK && at <= to + SLACK, `${what}: ${iso} not within the test's time`);
  };

  it('event.session on a first login is the session being established; an SSO login sees it stored', async () => {
    await useAction(RECORD);
    const browser = new CookieBrowser(server.issuer);
    const started = Date.now();
    const first = await (await login(browser)).redeem();
    const loggedIn = Date.now();
    const sid = first.claims()!.sid as string;
    assert.equal(typeof sid, 'string', 'the ID token has a sid');
    const established = sessionOf(first);
    assert.equal(recorded(first).protocol, 'oidc-basic-profile');
    assert.equal(established.id, sid, "event.session.id is the ID token's sid");
    assert.deepEqual(established.clients, [{ client_id: app.clientId }]);
    assert.deepEqual(established.cookie, { mode: 'persistent' });
    assert.deepEqual(established.metadata, {});
    assert.equal(established.device.initial_ip, '127.0.0.1');
    assert.equal(established.device.initial_user_agent, 'SessionTest/1.0');
    plausible(established.created_at, started, loggedIn, 'created_at');
    plausible(established.authenticated_at, started, loggedIn, 'authenticated_at');
    plausible(established.expires_at!, started + 2 * HOUR, loggedIn + 2 * HOUR, 'expires_at (2 h lifetime)');
    plausible(established.idle_expires_at!, started + HOUR, loggedIn + HOUR, 'idle_expires_at (1 h idle)');

    const stored = await managedSession(sid);
    assert.equal(stored.status, 200, 'the Management API knows the session by that id');
    assert.equal(stored.body.user_id, userId);

    // An SSO login to another app of the tenant, from another user agent.
    browser.userAgent = 'SessionTest/2.0';
    const second = await (await sso(browser, {}, otherConfig)).redeem();
    const seen = sessionOf(second);
    assert.equal(seen.id, sid, 'the same session');
    assert.equal(second.claims()!.sid, sid, 'the same sid for every app of the session');
    assert.equal(seen.user_id, userId);
    assert.ok(
      seen.clients.some((client) => client.client_id === app.clientId),
      `clients include the first app: ${JSON.stringify(seen.clients)}`,
    );
    plausible(seen.last_interacted_at, started, Date.now(), 'last_interacted_at');
    plausible(seen.authenticated_at, started, loggedIn, 'authenticated_at is the login, not the SSO');
    assert.deepEqual(seen.cookie, { mode: 'persistent' });
    assert.deepEqual(seen.metadata, {});
    assert.equal(seen.device.initial_user_agent, 'SessionTest/1.0');
    assert.equal(seen.device.initial_ip, '127.0.0.1');
    const device = (await managedSession(sid)).body.device as Record<string, string>;
    assert.equal(device.initial_user_agent, 'SessionTest/1.0');
    assert.equal(device.last_user_agent, 'SessionTest/2.0', 'the SSO login was the last use');
    assert.deepEqual(
      ((await managedSession(sid)).body.clients as Array<{ client_id: string }>)
        .map((client) => client.client_id)
        .sort(),
      [app.clientId, other.clientId].sort(),
    );
  });

  it('a browser whose session an administrator ended logs in again under the id its actions saw', async () => {
    await useAction(RECORD);
    const browser = new CookieBrowser(server.issuer);
    const first = await (await login(browser)).redeem();
    const ended = first.claims()!.sid as string;
    const deleted = await fetch(`${server.issuer}api/v2/sessions/${ended}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(deleted.status, 202);
    // The browser still sends the cookie of the ended session: oidc-provider starts an empty one.
    const again = await (await login(browser)).redeem();
    const sid = again.claims()!.sid as string;
    assert.notEqual(sid, ended, 'a new session');
    assert.equal(sessionOf(again).id, sid, "event.session.id is the new session's sid");
    assert.equal((await managedSession(sid)).status, 200, 'stored under that id');
  });

  it('session metadata: set on a login, seen and changed by the SSO logins after it', async () => {
    const browser = new CookieBrowser(server.issuer);
    await useAction(`${RECORD}
      api.session.setMetadata('a', '1');
      api.session.setMetadata('b', '2');
      api.session.setMetadata('c', '3');
      api.session.setMetadata('long', 'x'.repeat(255));`);
    const first = await (await login(browser)).redeem();
    assert.deepEqual(sessionOf(first).metadata, {}, 'a new session starts without metadata');

    await useAction(`${RECORD}
      api.session.deleteMetadata('a');
      api.session.setMetadata('b', null);
      api.session.setMetadata('d', '4');`);
    const second = await (await sso(browser)).redeem();
    assert.deepEqual(sessionOf(second).metadata, { a: '1', b: '2', c: '3', long: 'x'.repeat(255) });

    await useAction(`${RECORD}
      api.session.evictMetadata();
      api.session.setMetadata('e', '5');`);
    const third = await (await sso(browser)).redeem();
    assert.deepEqual(sessionOf(third).metadata, { c: '3', long: 'x'.repeat(255), d: '4' });

    await useAction(RECORD);
    const fourth = await (await sso(browser)).redeem();
    assert.deepEqual(sessionOf(fourth).metadata, { e: '5' }, 'evicted, then set again');
    const managed = await managedSession(sessionOf(fourth).id);
    assert.deepEqual(managed.body.session_metadata, { e: '5' }, 'the Management API shows the same');
  });

  it('session metadata over the limits fails the login closed, naming the limit', async () => {
    await useAction(`api.session.setMetadata('count', 3);`);
    assert.match(await failedLogin(), /api\.session\.setMetadata: value must be a string/);
    await useAction(`api.session.setMetadata('long', 'x'.repeat(256));`);
    assert.match(await failedLogin(), /api\.session\.setMetadata: value is 256 characters; the limit is 255/);
    await useAction(`api.session.setMetadata('bad.key', 'v');`);
    assert.match(await failedLogin(), /api\.session\.setMetadata: key must be 1 to 255 characters/);
    await useAction(`api.session.setMetadata('', 'v');`);
    assert.match(await failedLogin(), /api\.session\.setMetadata: key must be/);
    await useAction(`api.session.deleteMetadata('bad key');`);
    assert.match(await failedLogin(), /api\.session\.deleteMetadata: key must be/);
    await useAction(`for (let i = 0; i < 26; i++) api.session.setMetadata('k' + i, 'v');`);
    assert.match(await failedLogin(), /the session already has 25 metadata keys, the maximum/);

    // 25 keys fit; on the SSO login after it, a 26th does not, and replacing one does.
    const browser = new CookieBrowser(server.issuer);
    await useAction(`for (let i = 0; i < 25; i++) api.session.setMetadata('k' + i, 'v');`);
    assert.equal(typeof (await login(browser)).params.code, 'string');
    await useAction(`api.session.setMetadata('k24', 'changed'); ${RECORD}`);
    assert.equal(Object.keys(sessionOf(await (await sso(browser)).redeem()).metadata).length, 25);
    await useAction(`api.session.setMetadata('k25', 'v');`);
    const refused = await sso(browser);
    assert.equal(refused.params.error, 'access_denied');
    assert.equal(refused.params.error_description, FAILED_DESCRIPTION);
    assert.match(
      recordedFailure(await lastExecution(server.storage, server.tenantId))?.message ?? '',
      /the session already has 25 metadata keys/,
    );
    await useAction(RECORD);
    const after = sessionOf(await (await sso(browser)).redeem()).metadata;
    assert.equal(after.k24, 'changed');
    assert.equal(after.k25, undefined, 'nothing of the failed run was saved');
  });

  it("setCookieMode('non-persistent') sets the session cookies without Expires; the default sets Expires", async () => {
    const persistent = new CookieBrowser(server.issuer);
    const at = Date.now();
    await login(persistent);
    for (const name of [SESSION_COOKIE, `${SESSION_COOKIE}.sig`]) {
      const line = persistent.lastSetCookie(name);
      assert.ok(line, `a Set-Cookie for ${name}`);
      const expires = expiresOf(line);
      assert.ok(expires !== undefined, `${name} is persistent: ${line}`);
      // The cookie lasts as long as the session may stay unused: the tenant's 1 h idle lifetime.
      assert.ok(Math.abs(expires - (at + HOUR)) < SLACK, `${name} expires in about 1 h: ${line}`);
    }

    await useAction(`api.session.setCookieMode('persistent'); api.session.setCookieMode('non-persistent');`);
    const browser = new CookieBrowser(server.issuer);
    assert.equal(typeof (await login(browser)).params.code, 'string');
    const assertSessionOnly = (what: string) => {
      for (const name of [SESSION_COOKIE, `${SESSION_COOKIE}.sig`]) {
        const line = browser.lastSetCookie(name);
        assert.ok(line, `a Set-Cookie for ${name} (${what})`);
        const set = attributes(line);
        assert.equal(set.expires, undefined, `${name} without Expires (${what}): ${line}`);
        assert.equal(set['max-age'], undefined, `${name} without Max-Age (${what}): ${line}`);
      }
    };
    assertSessionOnly('the login');
    await useAction(RECORD);
    browser.setCookies.length = 0;
    const again = await (await sso(browser)).redeem();
    assert.deepEqual(sessionOf(again).cookie, { mode: 'non-persistent' });
    assertSessionOnly('the SSO login, which saves the session again');

    await useAction(`api.session.setCookieMode('bogus');`);
    assert.match(await failedLogin(), /api\.session\.setCookieMode: mode/);
    await useAction(`api.session.setCookieMode();`);
    assert.match(await failedLogin(), /api\.session\.setCookieMode: mode/);
  });

  it('setExpiresAt and setIdleExpiresAt: the earliest wins, the cookie and the session end then', async () => {
    await useAction(`api.session.setExpiresAt(Date.now() + 2000);
      api.session.setExpiresAt(Date.now() + 60000);`);
    const absolute = new CookieBrowser(server.issuer);
    const absoluteAt = Date.now() + 2000;
    const absoluteSid = (await (await login(absolute)).redeem()).claims()!.sid as string;
    await useAction(`api.session.setIdleExpiresAt(Date.now() + 60000);
      api.session.setIdleExpiresAt(Date.now() + 2000);`);
    const idle = new CookieBrowser(server.issuer);
    const idleAt = Date.now() + 2000;
    const idleSid = (await (await login(idle)).redeem()).claims()!.sid as string;
    await bindActions(server.storage, server.tenantId, []);

    for (const [browser, at] of [
      [absolute, absoluteAt],
      [idle, idleAt],
    ] as const) {
      for (const name of [SESSION_COOKIE, `${SESSION_COOKIE}.sig`]) {
        const expires = expiresOf(browser.lastSetCookie(name)!);
        assert.ok(
          expires !== undefined && Math.abs(expires - at) <= 2000,
          `${name} expires about then: ${browser.lastSetCookie(name)}`,
        );
      }
    }
    assert.equal((await managedSession(absoluteSid)).status, 200, 'the session lives until then');
    assert.equal((await managedSession(idleSid)).status, 200);

    await sleep(Math.max(absoluteAt, idleAt) + 1500 - Date.now());
    assert.equal((await managedSession(absoluteSid)).status, 404, 'the session is gone');
    assert.equal((await managedSession(idleSid)).status, 404);
    for (const browser of [absolute, idle]) {
      // Sent with the expired cookie anyway, as a client ignoring Expires would.
      assert.equal(await authorizeShows(browser.copy(), { prompt: 'none' }), 'login_required');
      assert.equal(await authorizeShows(browser.copy()), 'login page');
    }
  });

  it("expiries beyond the tenant's session lifetimes are capped by them", async () => {
    await useAction(`api.session.setExpiresAt(Date.now() + 30 * 24 * 3600 * 1000);
      api.session.setIdleExpiresAt(Date.now() + 30 * 24 * 3600 * 1000);`);
    const browser = new CookieBrowser(server.issuer);
    const started = Date.now();
    const sid = (await (await login(browser)).redeem()).claims()!.sid as string;
    const loggedIn = Date.now();
    const expires = expiresOf(browser.lastSetCookie(SESSION_COOKIE)!)!;
    assert.ok(expires <= loggedIn + HOUR + SLACK, `the cookie ends within the 1 h idle lifetime: ${expires}`);
    const managed = await managedSession(sid);
    assert.equal(managed.status, 200);
    plausible(managed.body.expires_at as string, started + 2 * HOUR, loggedIn + 2 * HOUR, 'expires_at (2 h)');
    plausible(
      managed.body.idle_expires_at as string,
      started + HOUR,
      loggedIn + HOUR,
      'idle_expires_at (1 h)',
    );
    await useAction(RECORD);
    const seen = sessionOf(await (await sso(browser)).redeem());
    plausible(seen.expires_at!, started + 2 * HOUR, loggedIn + 2 * HOUR, 'event.session.expires_at');
  });

  it('bad arguments to setExpiresAt and setIdleExpiresAt fail the run', async () => {
    for (const call of [
      `api.session.setExpiresAt('tomorrow')`,
      `api.session.setExpiresAt(-5)`,
      `api.session.setExpiresAt(NaN)`,
      `api.session.setExpiresAt()`,
      `api.session.setExpiresAt(Date.now() + 0.5)`,
      `api.session.setIdleExpiresAt(Math.floor(Date.now() / 1000) + 60)`,
      `api.session.setIdleExpiresAt(Infinity)`,
    ]) {
      await useAction(`${call};`);
      const method = call.includes('Idle') ? 'setIdleExpiresAt' : 'setExpiresAt';
      assert.match(await failedLogin(), new RegExp(`api\\.session\\.${method}`), call);
    }
  });

  it('session.revoke on an SSO login: the app is denied with the reason, the session and its refresh tokens end', async () => {
    const browser = new CookieBrowser(server.issuer);
    const tokens = await (await login(browser, { scope: 'openid offline_access' })).redeem();
    assert.ok(tokens.refresh_token);
    const sid = tokens.claims()!.sid as string;
    await useAction(`api.session.revoke('Your session was ended by policy');`);
    const denied = await sso(browser);
    assert.deepEqual(denied.params, {
      error: 'access_denied',
      error_description: 'Your session was ended by policy',
      state: denied.state,
      iss: server.issuer,
    });
    assert.equal(browser.cookies.get(SESSION_COOKIE), undefined, 'the session cookie is cleared');
    await bindActions(server.storage, server.tenantId, []);
    assert.equal((await managedSession(sid)).status, 404);
    assert.equal(await authorizeShows(browser), 'login page');
    const refused = await refresh(tokens.refresh_token);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'invalid_grant');
  });

  it('session.revoke with preserveRefreshTokens ends the session and keeps its refresh tokens', async () => {
    const browser = new CookieBrowser(server.issuer);
    const tokens = await (await login(browser, { scope: 'openid offline_access' })).redeem();
    await useAction(`api.session.revoke('ended', { preserveRefreshTokens: true });`);
    const denied = await sso(browser);
    assert.equal(denied.params.error, 'access_denied');
    assert.equal(denied.params.error_description, 'ended');
    await bindActions(server.storage, server.tenantId, []);
    assert.equal(await authorizeShows(browser.copy(), { prompt: 'none' }), 'login_required');
    assert.equal(await authorizeShows(browser), 'login page');
    const kept = await refresh(tokens.refresh_token!);
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
  });

  it('session.revoke with bad arguments fails the run', async () => {
    for (const call of [
      `api.session.revoke()`,
      `api.session.revoke(42)`,
      `api.session.revoke('r', 'yes')`,
      `api.session.revoke('r', { preserveRefreshTokens: 'yes' })`,
    ]) {
      await useAction(`${call};`);
      assert.match(await failedLogin(), /api\.session\.revoke/, call);
    }
  });

  it('on a refresh exchange: event.session is the token’s session, and api.session setters reach the next SSO login', async () => {
    const browser = new CookieBrowser(server.issuer);
    const tokens = await (await login(browser, { scope: 'openid offline_access' })).redeem();
    const sid = tokens.claims()!.sid as string;
    await useAction(`${RECORD}
      if (${ON_REFRESH}) {
        api.session.setMetadata('from_refresh', 'yes');
        api.session.setMetadata('gone', null);
      }`);
    const exchanged = await refresh(tokens.refresh_token!);
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    const onRefresh = idTokenClaims(exchanged.body.id_token as string)[CLAIM] as Recorded;
    assert.equal(onRefresh.protocol, 'oauth2-refresh-token');
    assert.equal(onRefresh.refresh_session_id, sid);
    assert.notEqual(onRefresh.session, 'absent', 'event.session on a session-bound refresh');
    assert.equal((onRefresh.session as EventSession).id, sid);
    assert.deepEqual((onRefresh.session as EventSession).metadata, {});

    const seen = sessionOf(await (await sso(browser)).redeem());
    assert.equal(seen.id, sid);
    assert.deepEqual(seen.metadata, { from_refresh: 'yes' });
  });

  it('session.revoke on a refresh exchange: 400 access_denied with the reason, the session ends, its tokens too', async () => {
    const browser = new CookieBrowser(server.issuer);
    const tokens = await (await login(browser, { scope: 'openid offline_access' })).redeem();
    const sid = tokens.claims()!.sid as string;
    await useAction(`if (${ON_REFRESH}) api.session.revoke('No more refreshing');`);
    const refused = await refresh(tokens.refresh_token!);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { error: 'access_denied', error_description: 'No more refreshing' });
    await bindActions(server.storage, server.tenantId, []);
    assert.equal((await managedSession(sid)).status, 404, 'the session ended');
    assert.equal(await authorizeShows(browser), 'login page');
    const after = await refresh(tokens.refresh_token!);
    assert.equal(after.status, 400, JSON.stringify(after.body));
    assert.equal(after.body.error, 'invalid_grant', 'the refresh token was revoked');
  });

  it('session.revoke on a refresh exchange with preserveRefreshTokens: the session ends, the token keeps working', async () => {
    const browser = new CookieBrowser(server.issuer);
    const tokens = await (await login(browser, { scope: 'openid offline_access' })).redeem();
    const sid = tokens.claims()!.sid as string;
    await useAction(
      `if (${ON_REFRESH}) api.session.revoke('session over', { preserveRefreshTokens: true });`,
    );
    const refused = await refresh(tokens.refresh_token!);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { error: 'access_denied', error_description: 'session over' });
    await bindActions(server.storage, server.tenantId, []);
    assert.equal((await managedSession(sid)).status, 404, 'the session ended');
    assert.equal(await authorizeShows(browser), 'login page');
    const kept = await refresh(tokens.refresh_token!);
    assert.equal(kept.status, 200, `the same token works: ${JSON.stringify(kept.body)}`);

    // Its session is gone: no event.session, and the session setters do nothing.
    await useAction(`${RECORD}
      api.session.setMetadata('k', 'v');
      api.session.setExpiresAt(Date.now() + 1000);
      api.session.setCookieMode('non-persistent');`);
    const orphan = await refresh(kept.body.refresh_token as string);
    assert.equal(orphan.status, 200, JSON.stringify(orphan.body));
    const seen = idTokenClaims(orphan.body.id_token as string)[CLAIM] as Recorded;
    assert.equal(seen.protocol, 'oauth2-refresh-token');
    assert.equal(seen.session, 'absent');
    assert.equal((await managedSession(sid)).status, 404, 'no session was made up');
  });
});
