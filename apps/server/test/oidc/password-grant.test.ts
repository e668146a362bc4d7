import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { createConnection } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthApiError, AuthenticationClient } from 'auth0/legacy';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { bindActions, deployAction, lastExecution, recordedFailure } from '../actions-flow/helpers.ts';
import { DOMAIN, fetchTo, type ManagementHarness, startManagement } from '../management/helpers.ts';
import { REDIRECT_URI } from './helpers.ts';
import { attempt, fail, openLogin, type Site } from './login-from.ts';

const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const API = 'https://api.example.com/';
const DATABASE = 'Username-Password-Authentication';
const WRONG = { error: 'invalid_grant', error_description: 'Wrong email or password.' };

interface TokenAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON bodies of the endpoint
  body: any;
}

/**
 * Auth0's Resource Owner Password grant (`password`, and `password-realm` with `realm`), driven with
 * the `auth0` SDK's AuthenticationClient (its v4 API, which `auth0@7` ships as `auth0/legacy`) and
 * with raw HTTP for what the SDK does not send. The server's issuer is `https://localhost:3000/` as
 * the SDK expects; requests reach the test port through `fetchTo`. Client IPs come from
 * X-Forwarded-For of the trusted local proxy, so each test counts against its own address.
 */
describe('the password grant (Auth0 Resource Owner Password)', () => {
  let h: ManagementHarness;
  let site: Site;
  /** A confidential client with `password` and `refresh_token`, created through the Management API. */
  let app: { clientId: string; clientSecret: string };
  let ada: { id: string; username: string; password: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  const sdk = (client: { clientId: string; clientSecret?: string } = app) =>
    new AuthenticationClient({
      domain: DOMAIN,
      clientId: client.clientId,
      ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
      // The SDK verifies ID tokens against https://<domain>/.well-known/jwks.json with Node's https and
      // this agent, which carries that request to the test port (plain HTTP), unchanged otherwise.
      // It also hands the agent to fetch as undici's dispatcher (its type), which it is not: left out there.
      agent: toTestPort(h.server.url) as never,
      fetch: (input, init) => {
        const { dispatcher: _agent, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
        return fetchTo(h.server.url)(input, rest);
      },
    });
  /** The SDK's call from a user at `ip` (behind the app's trusted proxy). */
  const from = (ip: string) => ({ initOverrides: { headers: { 'x-forwarded-for': ip } } });

  /** A raw token request: a form unless `json`, from `ip`. */
  async function token(
    fields: Record<string, string>,
    options: { ip: string; json?: boolean; headers?: Record<string, string> },
  ): Promise<TokenAnswer> {
    const response = await fetch(`${h.server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
        'x-forwarded-for': options.ip,
        ...options.headers,
      },
      body: options.json ? JSON.stringify(fields) : new URLSearchParams(fields),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }
  const password = (fields: Record<string, string>, ip: string) =>
    token(
      {
        grant_type: 'password',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        username: ada.username,
        password: ada.password,
        ...fields,
      },
      { ip },
    );

  const createClient = async (body: Record<string, unknown>) => {
    const created = await h.call('POST', '/clients', { body: { name: 'ROPG app', ...body } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { clientId: created.body.client_id as string, clientSecret: created.body.client_secret as string };
  };
  const createUser = async (email: string) => {
    const user = await h.server.storage.users.create(h.tenantId, { email, password: `${email} password` });
    return { id: user.user_id, username: email, password: `${email} password` };
  };
  const deploy = (name: string, code: string) => deployAction(h.server.storage, h.tenantId, name, code);
  const bind = (ids: string[]) => bindActions(h.server.storage, h.tenantId, ids);

  /** The newest audit event of `type` (recorded after the response: polled). */
  async function audited(
    type: string,
    match: (log: { userId: string | null; userName: string | null }) => boolean,
  ) {
    for (let i = 0; i < 100; i++) {
      const { logs } = await h.server.storage.auditLogs.list(h.tenantId, {
        page: 0,
        perPage: 50,
        types: [type],
      });
      const found = logs.find(match);
      if (found) return found;
      await sleep(20);
    }
    assert.fail(`no ${type} event`);
  }

  before(async () => {
    h = await startManagement({ TESSERA_PUBLIC_SCHEME: 'https', TESSERA_TRUST_PROXY: '127.0.0.1' });
    assert.equal(h.issuer, `https://${DOMAIN}/`);
    await h.server.storage.resourceServers.create(h.tenantId, {
      identifier: API,
      name: 'API',
      scopes: [
        { value: 'read:things', description: 'Read' },
        { value: 'write:things', description: 'Write' },
      ],
    });
    app = await createClient({
      app_type: 'regular_web',
      callbacks: [REDIRECT_URI],
      grant_types: ['password', 'refresh_token', 'authorization_code'],
    });
    site = { issuer: `${h.server.url}/`, tenantId: h.tenantId, clientId: app.clientId };
    ada = await createUser('ada@example.com');
    jwks = createRemoteJWKSet(new URL(`${h.server.url}/.well-known/jwks.json`));
  });
  beforeEach(() => bind([]));
  after(() => h.stop());

  it('the Management API accepts both grant types on create and update, and still refuses unknown ones', async () => {
    const created = await h.call('POST', '/clients', {
      body: { name: 'realm only', grant_types: [PASSWORD_REALM] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.grant_types, [PASSWORD_REALM]);
    const id = created.body.client_id;
    const patched = await h.call('PATCH', `/clients/${id}`, {
      body: { grant_types: ['password', PASSWORD_REALM, 'refresh_token'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.grant_types, ['password', PASSWORD_REALM, 'refresh_token']);
    const unknown = await h.call('PATCH', `/clients/${id}`, { body: { grant_types: ['urn:example:nope'] } });
    assert.equal(unknown.status, 400);
  });

  it('exchanges a password for Auth0-shaped tokens with the auth0 SDK, and the refresh token refreshes', async () => {
    const auth = sdk();
    const { data } = await auth.oauth.passwordGrant(
      {
        username: ada.username,
        password: ada.password,
        audience: API,
        scope: 'openid profile email offline_access read:things',
      },
      from('192.0.2.10'),
    );
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 86_400);
    assert.ok(data.refresh_token, 'offline_access and the refresh_token grant: a refresh token');
    const { payload: access } = await jwtVerify(data.access_token, jwks, { issuer: h.issuer });
    assert.equal(access.sub, ada.id);
    assert.deepEqual(access.aud, [API, `${h.issuer}userinfo`]);
    assert.equal(access.azp, app.clientId);
    assert.equal(access.gty, 'password');
    assert.deepEqual(String(access.scope).split(' ').sort(), ['email', 'openid', 'profile', 'read:things']);
    assert.equal(scopeOf(data), access.scope);
    // The SDK validated the ID token already (issuer, audience, expiry); its claims are the user's.
    const id = decodeJwt(data.id_token!);
    assert.equal(id.sub, ada.id);
    assert.equal(id.email, ada.username);
    assert.deepEqual(id.amr, ['pwd']);
    assert.equal(typeof id.auth_time, 'number');
    assert.equal(id.nonce, undefined);

    const refreshed = await auth.oauth.refreshTokenGrant({ refresh_token: data.refresh_token });
    const again = await jwtVerify(refreshed.data.access_token, jwks, { issuer: h.issuer });
    assert.equal(again.payload.sub, ada.id);
    assert.deepEqual(again.payload.aud, [API, `${h.issuer}userinfo`]);

    const userinfo = await fetch(`${h.server.url}/userinfo`, {
      headers: { authorization: `Bearer ${data.access_token}` },
    });
    assert.equal(userinfo.status, 200);
    assert.equal(((await userinfo.json()) as { sub: string }).sub, ada.id);
    const user = await h.server.storage.users.findById(h.tenantId, ada.id);
    assert.equal(user?.last_ip, '192.0.2.10', 'the login is recorded, from the user IP');
    const success = await audited('sepft', (log) => log.userId === ada.id);
    assert.equal(success.userName, ada.username);
  });

  it('password-realm checks the password in the connection `realm` names; plain password ignores realm', async () => {
    await h.server.storage.db.sql.query(
      `INSERT INTO connections (id, tenant_id, name, strategy, updated_at) VALUES ('con_ropgother00001', $1, 'Other-DB', 'auth0', now())`,
      [h.tenantId],
    );
    await h.server.storage.users.create(h.tenantId, {
      email: ada.username,
      password: 'the other directory password',
      connection: 'Other-DB',
    });
    const auth = sdk();
    const grant = (realm: string | undefined, secret: string, ip: string) =>
      auth.oauth.passwordGrant(
        { username: ada.username, password: secret, scope: 'openid', ...(realm ? { realm } : {}) },
        from(ip),
      );
    const other = await grant('Other-DB', 'the other directory password', '192.0.2.20');
    assert.notEqual(decodeJwt(other.data.id_token!).sub, ada.id, 'the user of Other-DB');
    await assert.rejects(grant('Other-DB', ada.password, '192.0.2.20'), wrongCredentials);
    const main = await grant(DATABASE, ada.password, '192.0.2.20');
    assert.equal(decodeJwt(main.data.id_token!).sub, ada.id);
    // Plain `password` ignores `realm` (Auth0's standard grant takes no realm): the default directory.
    const plain = await password({ realm: 'Other-DB', scope: 'openid' }, '192.0.2.20');
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal(decodeJwt(plain.body.id_token).sub, ada.id);
  });

  it('answers bad requests as Auth0 does, in a form or a JSON body', async () => {
    const ip = '192.0.2.30';
    const base = { grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret };
    for (const json of [false, true]) {
      const good = await token({ ...base, username: ada.username, password: ada.password }, { ip, json });
      assert.equal(good.status, 200, JSON.stringify(good.body));
      assert.equal(good.headers.get('cache-control'), 'no-store');
      const noUser = await token({ ...base, password: ada.password }, { ip, json });
      assert.equal(noUser.status, 400);
      assert.equal(noUser.body.error, 'invalid_request');
      assert.match(noUser.body.error_description, /username/);
      const noPassword = await token({ ...base, username: ada.username }, { ip, json });
      assert.equal(noPassword.status, 400);
      assert.match(noPassword.body.error_description, /password/);
    }
    const realm = { ...base, grant_type: PASSWORD_REALM, username: ada.username, password: ada.password };
    const noRealm = await token(realm, { ip });
    assert.equal(noRealm.status, 400);
    assert.match(noRealm.body.error_description, /realm/);
    const unknownRealm = await token({ ...realm, realm: 'No-Such-DB' }, { ip });
    assert.equal(unknownRealm.status, 400);
    assert.deepEqual(unknownRealm.body, {
      error: 'invalid_request',
      error_description: 'the connection was not found',
    });
    const badSecret = await token(
      { ...base, client_secret: 'nope', username: ada.username, password: 'x' },
      { ip },
    );
    assert.equal(badSecret.status, 401);
    assert.equal(badSecret.body.error, 'invalid_client');
  });

  it('a client without the grant gets 403 unauthorized_client, for both grant types', async () => {
    const codeOnly = await createClient({ callbacks: [REDIRECT_URI], grant_types: ['authorization_code'] });
    const auth = sdk(codeOnly);
    for (const realm of [undefined, DATABASE]) {
      await assert.rejects(
        auth.oauth.passwordGrant(
          { username: ada.username, password: ada.password, ...(realm ? { realm } : {}) },
          from('192.0.2.40'),
        ),
        refusedWith(
          403,
          'unauthorized_client',
          `Grant type '${realm ? PASSWORD_REALM : 'password'}' not allowed for the client.`,
        ),
      );
    }
    // The realm extension alone does not open the standard grant.
    const realmOnly = await createClient({ grant_types: [PASSWORD_REALM] });
    await assert.rejects(
      sdk(realmOnly).oauth.passwordGrant(
        { username: ada.username, password: ada.password },
        from('192.0.2.40'),
      ),
      refusedWith(403, 'unauthorized_client', "Grant type 'password' not allowed for the client."),
    );
    const ok = await sdk(realmOnly).oauth.passwordGrant(
      { username: ada.username, password: ada.password, realm: DATABASE },
      from('192.0.2.40'),
    );
    assert.ok(ok.data.access_token);
  });

  it('gives an unknown user and a wrong password the same 403 invalid_grant, and logs both as fepft', async () => {
    const ip = '192.0.2.50';
    const wrong = await password({ password: 'not the password' }, ip);
    const unknown = await password({ username: 'nobody@example.com' }, ip);
    for (const answer of [wrong, unknown]) {
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.body, WRONG);
    }
    const failed = await audited('fepft', (log) => log.userName === 'nobody@example.com');
    assert.equal(failed.userId, null);
    await audited('fepft', (log) => log.userId === ada.id);
  });

  it('41: of 40 concurrent wrong passwords for one account only 10 are checked; then even the right one is refused', async () => {
    const bob = await createUser('bob@example.com');
    const ip = '198.51.100.41';
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => password({ username: bob.username, password: `guess ${i}` }, ip)),
    );
    const statuses = guesses.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 403).length, 10, 'guesses that were checked');
    assert.equal(statuses.filter((status) => status === 429).length, 30, 'refused before any check');
    const right = await password({ username: bob.username, password: bob.password }, ip);
    assert.equal(right.status, 429);
    assert.equal(right.body.error, 'too_many_attempts');
    // Blocked for that IP only, and listed where an administrator lifts it.
    const elsewhere = await password({ username: bob.username, password: bob.password }, '198.51.100.42');
    assert.equal(elsewhere.status, 200);
    const blocks = await h.call('GET', `/user-blocks/${encodeURIComponent(bob.id)}`);
    assert.deepEqual(
      blocks.body.blocked_for.map((b: { ip: string }) => b.ip),
      [ip],
    );
    await audited('limit_wc', (log) => log.userId === bob.id);
  });

  it('42: 100 failures from one IP across accounts throttle that IP (429 with Retry-After), nobody else', async () => {
    const ip = '198.51.100.45';
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          password({ username: `stranger${batch * 10 + i}@example.com`, password: 'guess' }, ip),
        ),
      );
      assert.deepEqual(
        answers.map((answer) => answer.status),
        Array(10).fill(403),
      );
    }
    const throttled = await password({}, ip);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error, 'too_many_attempts');
    assert.ok(Number(throttled.headers.get('retry-after')) > 0, 'says when to come back');
    assert.equal((await password({}, '198.51.100.46')).status, 200, 'the owner elsewhere logs in');
  });

  it('counts in the login page counters: failures on the page and at the token endpoint add up to one block', async () => {
    const cleo = await createUser('cleo@example.com');
    const ip = '198.51.100.43';
    await fail(await openLogin(site, ip), cleo.username, 5);
    for (let i = 0; i < 5; i++) {
      const answer = await password({ username: cleo.username, password: `wrong ${i}` }, ip);
      assert.equal(answer.status, 403, `grant failure ${i + 1}`);
    }
    const grant = await password({ username: cleo.username, password: cleo.password }, ip);
    assert.equal(grant.status, 429, JSON.stringify(grant.body));
    const page = await attempt(await openLogin(site, ip), cleo.username, cleo.password);
    assert.equal(page.status, 429, 'the login page sees the block the grant completed');
  });

  it("ignores Auth0's auth0-forwarded-for: a client cannot spread guesses over made-up addresses", async () => {
    const dora = await createUser('dora@example.com');
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        token(
          {
            grant_type: 'password',
            client_id: app.clientId,
            client_secret: app.clientSecret,
            username: dora.username,
            password: `guess ${i}`,
          },
          { ip: '198.51.100.44', headers: { 'auth0-forwarded-for': `203.0.113.${i + 1}` } },
        ),
      ),
    );
    assert.equal(guesses.filter((answer) => answer.status === 429).length, 2);
  });

  it('a blocked user gets 401 unauthorized "user is blocked" only with the right password', async () => {
    const eve = await createUser('eve@example.com');
    await h.call('PATCH', `/users/${encodeURIComponent(eve.id)}`, { body: { blocked: true } });
    const ip = '192.0.2.60';
    const right = await password({ username: eve.username, password: eve.password }, ip);
    assert.equal(right.status, 401);
    assert.deepEqual(right.body, { error: 'unauthorized', error_description: 'user is blocked' });
    const wrong = await password({ username: eve.username, password: 'wrong' }, ip);
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.body, WRONG);
  });

  it('runs the post-login trigger as oauth2-resource-owner: claims, scopes and metadata reach tokens and user', async () => {
    await bind([
      await deploy(
        'ropg',
        `exports.onExecutePostLogin = async (event, api) => {
          const ns = 'https://example.com/';
          api.idToken.setCustomClaim(ns + 'protocol', event.transaction.protocol);
          api.idToken.setCustomClaim(ns + 'canRedirect', api.redirect.canRedirect());
          api.idToken.setCustomClaim(ns + 'method', event.authentication.methods[0].name);
          api.idToken.setCustomClaim(ns + 'body', Object.keys(event.request.body).sort().join(' '));
          api.accessToken.setCustomClaim(ns + 'scopes', event.transaction.requested_scopes.join(' '));
          api.accessToken.addScope('write:things');
          api.user.setAppMetadata('ropg_logins', (event.user.app_metadata.ropg_logins ?? 0) + 1);
        };`,
      ),
    ]);
    const { data } = await sdk().oauth.passwordGrant(
      { username: ada.username, password: ada.password, audience: API, scope: 'openid read:things' },
      from('192.0.2.70'),
    );
    const id = decodeJwt(data.id_token!);
    assert.equal(id['https://example.com/protocol'], 'oauth2-resource-owner');
    assert.equal(id['https://example.com/canRedirect'], false);
    assert.equal(id['https://example.com/method'], 'pwd');
    assert.equal(
      id['https://example.com/body'],
      'audience client_id grant_type scope username',
      'never the password or the client secret',
    );
    const { payload: access } = await jwtVerify(data.access_token, jwks);
    assert.equal(access['https://example.com/scopes'], 'openid read:things');
    assert.deepEqual(String(access.scope).split(' ').sort(), ['openid', 'read:things', 'write:things']);
    assert.equal(scopeOf(data), access.scope);
    const user = await h.server.storage.users.findById(h.tenantId, ada.id);
    assert.equal(user?.app_metadata.ropg_logins, 1);
  });

  it('a denial is 403 access_denied with the reason, and metadata set before it is still saved', async () => {
    await bind([
      await deploy(
        'deny',
        `exports.onExecutePostLogin = async (event, api) => {
          api.user.setUserMetadata('denied_at', 'ropg');
          api.access.deny('No password logins for you.');
        };`,
      ),
    ]);
    await assert.rejects(
      sdk().oauth.passwordGrant({ username: ada.username, password: ada.password }, from('192.0.2.80')),
      refusedWith(403, 'access_denied', 'No password logins for you.'),
    );
    const user = await h.server.storage.users.findById(h.tenantId, ada.id);
    assert.equal(user?.user_metadata.denied_at, 'ropg');
  });

  it('an MFA request is answered 403 mfa_required, a challenge too', async () => {
    for (const call of [
      "api.multifactor.enable('any')",
      "api.authentication.challengeWith({ type: 'otp' })",
    ]) {
      await bind([
        await deploy(
          `mfa ${call.length}`,
          `exports.onExecutePostLogin = async (event, api) => { ${call}; };`,
        ),
      ]);
      const answer = await password({}, '192.0.2.90');
      assert.equal(answer.status, 403, call);
      assert.deepEqual(answer.body, {
        error: 'mfa_required',
        error_description: 'Multifactor authentication required',
      });
    }
  });

  it('a redirect cannot happen without a browser: the action fails and so does the exchange', async () => {
    await bind([
      await deploy(
        'redirect',
        `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('https://example.com/more'); };`,
      ),
    ]);
    const answer = await password({}, '192.0.2.100');
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error, 'access_denied');
    const record = await lastExecution(h.server.storage, h.tenantId);
    assert.match(String(recordedFailure(record)?.message), /cannot redirect/);
  });

  it('a public client may use the grant without a secret; its refresh tokens rotate', async () => {
    const mobile = await createClient({
      app_type: 'native',
      grant_types: ['password', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    });
    const first = await token(
      {
        grant_type: PASSWORD_REALM,
        client_id: mobile.clientId,
        username: ada.username,
        password: ada.password,
        realm: DATABASE,
        scope: 'openid offline_access',
      },
      { ip: '192.0.2.110' },
    );
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.id_token);
    assert.ok(first.body.refresh_token);
    const refreshed = await token(
      { grant_type: 'refresh_token', client_id: mobile.clientId, refresh_token: first.body.refresh_token },
      { ip: '192.0.2.110' },
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(refreshed.body.refresh_token, first.body.refresh_token, 'rotated');
  });

  it('without an audience the access token serves /userinfo only', async () => {
    const answer = await password({ scope: 'openid email' }, '192.0.2.120');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.scope, 'openid email');
    const userinfo = await fetch(`${h.server.url}/userinfo`, {
      headers: { authorization: `Bearer ${answer.body.access_token}` },
    });
    assert.equal(userinfo.status, 200);
    assert.deepEqual(await userinfo.json(), { sub: ada.id, email: ada.username, email_verified: false });
  });

  // Last: it changes the tenant's settings for the tests after it.
  it("plain password uses the tenant's default directory (Auth0's default_directory) when it names one", async () => {
    await h.server.storage.tenants.updateSettings(h.tenantId, {
      settings: { default_directory: 'Other-DB' },
    });
    await sleep(5_100); // the Host → tenant cache
    h.server.app.tenantProviders.invalidate(h.tenantId);
    const moved = await password({ password: 'the other directory password', scope: 'openid' }, '192.0.2.21');
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.notEqual(decodeJwt(moved.body.id_token).sub, ada.id, 'the user of Other-DB');
    const realm = await password(
      { grant_type: PASSWORD_REALM, realm: DATABASE, scope: 'openid' },
      '192.0.2.21',
    );
    assert.equal(decodeJwt(realm.body.id_token).sub, ada.id, 'a realm still names its own connection');
  });
});

/** An agent for `https:` URLs that connects to the test server's plain-HTTP port instead. */
function toTestPort(url: string): Agent {
  const { hostname, port } = new URL(url);
  const agent = new Agent();
  Object.assign(agent, {
    protocol: 'https:',
    createConnection: () => createConnection({ host: hostname, port: Number(port) }),
  });
  return agent;
}

/** The token response's `scope` (Auth0 sends it; the SDK's TokenSet type leaves it out). */
const scopeOf = (tokens: object) => (tokens as { scope?: string }).scope;

/** An `assert.rejects` check: the SDK's own error class, with Auth0's status, code and description. */
function refusedWith(status: number, error: string, description?: string) {
  return (thrown: unknown) => {
    assert.ok(thrown instanceof AuthApiError, String(thrown));
    assert.equal(thrown.statusCode, status);
    assert.equal(thrown.error, error);
    if (description !== undefined) assert.equal(thrown.error_description, description);
    return true;
  };
}

const wrongCredentials = refusedWith(403, WRONG.error, WRONG.error_description);
