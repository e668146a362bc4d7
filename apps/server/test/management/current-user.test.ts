import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CURRENT_USER_SCOPES, managementAudience, silentLogger } from '@tessera/core';
import { ManagementClient } from 'auth0';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { ensureFirstRun } from '../../src/boot/first-run.ts';
import { bindActions, deployAction } from '../actions-flow/helpers.ts';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  startOidcServer,
} from '../oidc/helpers.ts';
import { type ApiResponse, assertAuth0Error } from './helpers.ts';
import { failure } from './users-helpers.ts';

const isCurrentUserScope = (scope: string) => (CURRENT_USER_SCOPES as readonly string[]).includes(scope);

const ASKED = 'openid offline_access read:users delete:users read:current_user update:current_user_metadata';

/**
 * docs/security.md#48: a user who logs in to an app with `audience=<issuer>api/v2/` gets a
 * Management API token, as in Auth0, but it carries only Auth0's `*:current_user` scopes and they act
 * on that user alone; machine tokens never get those semantics.
 */
describe("a user's own Management API token (*:current_user scopes)", () => {
  let server: OidcTestServer;
  let audience: string;
  let config: oidc.Configuration;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let adminToken: string;
  let app: { clientId: string; clientSecret: string };
  let ada: { id: string; tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers };
  let bobId: string;
  const password = 'a long enough password';

  /** The SDK speaks https://<domain>: its requests go to the test server's plain-HTTP port instead. */
  const sdk = (token: string) => {
    const origin = new URL(server.issuer).origin;
    const domain = new URL(server.issuer).host;
    return new ManagementClient({
      domain,
      token,
      fetch: (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        assert.ok(url.startsWith(`https://${domain}/`), `the SDK called ${url}`);
        return fetch(url.replace(`https://${domain}`, origin), init);
      },
    });
  };

  async function call(method: string, path: string, token: string, body?: unknown): Promise<ApiResponse> {
    const response = await fetch(`${server.issuer}api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function clientToken(clientId: string, clientSecret: string) {
    const response = await fetch(`${server.issuer}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        audience,
      }),
    });
    const body = (await response.json()) as { access_token: string; scope: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body;
  }

  const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;
  const stored = async (id: string) => (await call('GET', userPath(id), adminToken)).body;

  before(async () => {
    // Roomy action budgets: a sandbox's first run on a loaded CI machine must not fail the login.
    server = await startOidcServer({ TESSERA_ACTIONS_TIMEOUT_MS: '60000', TESSERA_ACTIONS_CPU_MS: '30000' });
    audience = managementAudience(server.issuer);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    adminToken = (await clientToken(server.firstRun.created!.clientId, server.firstRun.created!.clientSecret))
      .access_token;
    app = await createApp(server);
    config = await discover(server, app.clientId, app.clientSecret);
    const adaUser = await server.storage.users.create(server.tenantId, {
      email: 'ada@example.com',
      password,
      userMetadata: { theme: 'light', lang: 'en' },
      appMetadata: { plan: 'free' },
    });
    bobId = (
      await server.storage.users.create(server.tenantId, {
        email: 'bob@example.com',
        password,
        userMetadata: { theme: 'blue' },
      })
    ).user_id;
    const tokens = await loginWithCode(
      server,
      config,
      new Browser(server.issuer),
      { username: 'ada@example.com', password },
      { audience, scope: ASKED },
    );
    ada = { id: adaUser.user_id, tokens };
  });
  after(() => server.stop());

  it('a login asking for admin scopes gets only the *:current_user ones, also after a refresh', async () => {
    assert.equal(ada.tokens.scope, 'openid read:current_user update:current_user_metadata');
    const { payload } = await jwtVerify(ada.tokens.access_token, jwks, { issuer: server.issuer, audience });
    assert.equal(payload.scope, 'openid read:current_user update:current_user_metadata');
    assert.equal(payload.sub, ada.id);
    assert.equal(payload.client_id, app.clientId);

    assert.ok(ada.tokens.refresh_token, 'offline_access gave a refresh token');
    const refreshed = await oidc.refreshTokenGrant(config, ada.tokens.refresh_token);
    assert.equal(refreshed.scope, 'openid read:current_user update:current_user_metadata');
    const again = (await jwtVerify(refreshed.access_token, jwks, { issuer: server.issuer, audience }))
      .payload;
    assert.equal(again.scope, 'openid read:current_user update:current_user_metadata');
  });

  it('with read:current_user the auth0 SDK reads the user’s own profile', async () => {
    const me = await sdk(ada.tokens.access_token).users.get(ada.id);
    assert.deepEqual(me, await stored(ada.id));
    assert.equal(me.email, 'ada@example.com');
  });

  it('with update:current_user_metadata the auth0 SDK changes the user’s own user_metadata', async () => {
    const changed = await sdk(ada.tokens.access_token).users.update(ada.id, {
      user_metadata: { theme: 'dark', lang: null },
    });
    assert.deepEqual(changed.user_metadata, { theme: 'dark' });
    assert.deepEqual((await stored(ada.id)).user_metadata, { theme: 'dark' });
  });

  it('refuses every other property, alone or next to user_metadata, and changes nothing', async () => {
    const before = await stored(ada.id);
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ app_metadata: { plan: 'pro' } }, 'update:users,update:users_app_metadata'],
      [
        { user_metadata: { theme: 'red' }, app_metadata: { plan: 'pro' } },
        'update:users,update:users_app_metadata',
      ],
      [{ blocked: false }, 'update:users'],
      [{ email: 'mallory@example.com' }, 'update:users'],
      [{ password: 'a brand new password', connection: 'Username-Password-Authentication' }, 'update:users'],
      [{ name: 'Ada L.', user_metadata: { theme: 'red' } }, 'update:users'],
    ];
    for (const [body, expected] of refusals) {
      const response = await call('PATCH', userPath(ada.id), ada.tokens.access_token, body);
      assertAuth0Error(response, 403, 'insufficient_scope');
      assert.equal(
        response.body.message,
        `Insufficient scope, expected any of: ${expected}`,
        JSON.stringify(body),
      );
    }
    const viaSdk = await failure(
      sdk(ada.tokens.access_token).users.update(ada.id, { app_metadata: { plan: 'pro' } }),
    );
    assert.equal(viaSdk.statusCode, 403);
    assert.deepEqual(await stored(ada.id), before);
  });

  it('answers bad bodies from a user token as for any caller (400 invalid_body)', async () => {
    for (const body of [{ user_metadata: 'dark' }, { user_metadata: ['dark'] }, { nickname_of_cat: 'Tom' }]) {
      assertAuth0Error(
        await call('PATCH', userPath(ada.id), ada.tokens.access_token, body),
        400,
        'invalid_body',
      );
    }
    assertAuth0Error(await call('PATCH', userPath(ada.id), ada.tokens.access_token, {}), 400, 'invalid_body');
  });

  it('another user’s id: 403, read or write, and the other user is unchanged', async () => {
    const before = await stored(bobId);
    const read = await failure(sdk(ada.tokens.access_token).users.get(bobId));
    assert.equal(read.statusCode, 403);
    assert.equal(read.body.errorCode, 'insufficient_scope');
    assert.equal(read.body.message, 'Insufficient scope, expected any of: read:users');
    const write = await call('PATCH', userPath(bobId), ada.tokens.access_token, {
      user_metadata: { theme: 'x' },
    });
    assertAuth0Error(
      write,
      403,
      'insufficient_scope',
      /^Insufficient scope, expected any of: update:users,update:users_app_metadata$/,
    );
    // An id that exists nowhere is refused the same way: a user token cannot probe for users.
    assertAuth0Error(
      await call('GET', userPath('auth0|000000000000000000000000'), ada.tokens.access_token),
      403,
      'insufficient_scope',
    );
    assert.deepEqual(await stored(bobId), before);
  });

  it('every other route refuses a user token with 403 insufficient_scope, whatever scopes it asked for', async () => {
    const listed = await failure(sdk(ada.tokens.access_token).users.list());
    assert.equal(listed.statusCode, 403);
    assert.equal(listed.body.message, 'Insufficient scope, expected any of: read:users');
    const token = ada.tokens.access_token;
    for (const [method, path] of [
      ['DELETE', userPath(ada.id)],
      ['DELETE', userPath(bobId)],
      ['GET', `${userPath(ada.id)}/roles`],
      ['GET', '/users-by-email?email=bob%40example.com'],
      ['GET', '/clients'],
      ['GET', '/logs'],
      ['PATCH', '/tenants/settings'],
    ] as const) {
      const body = method === 'PATCH' ? { friendly_name: 'mine' } : undefined;
      assertAuth0Error(await call(method, path, token, body), 403, 'insufficient_scope');
    }
    assert.equal((await stored(bobId)).user_id, bobId, 'nobody was deleted');
    assert.equal((await stored(ada.id)).user_id, ada.id);
  });

  it('a user token with read:current_user only cannot change its own metadata', async () => {
    const tokens = await loginWithCode(
      server,
      config,
      new Browser(server.issuer),
      { username: 'ada@example.com', password },
      { audience, scope: 'openid read:current_user' },
    );
    assert.equal(tokens.scope, 'openid read:current_user');
    const before = await stored(ada.id);
    assertAuth0Error(
      await call('PATCH', userPath(ada.id), tokens.access_token, { user_metadata: { theme: 'green' } }),
      403,
      'insufficient_scope',
      /^Insufficient scope, expected any of: update:users,update:users_app_metadata,update:current_user_metadata,create:current_user_metadata$/,
    );
    assert.deepEqual(await stored(ada.id), before);
  });

  it('admin scopes a post-login action adds to a user’s token do not count at the Management API', async () => {
    const actionId = await deployAction(
      server.storage,
      server.tenantId,
      'adds admin scopes',
      `exports.onExecutePostLogin = async (event, api) => {
        api.accessToken.addScope('read:users');
        api.accessToken.addScope('delete:users');
      };`,
    );
    await bindActions(server.storage, server.tenantId, [actionId]);
    try {
      const tokens = await loginWithCode(
        server,
        config,
        new Browser(server.issuer),
        { username: 'ada@example.com', password },
        { audience, scope: 'openid read:current_user' },
      );
      const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, audience });
      assert.equal(
        payload.scope,
        'openid read:current_user read:users delete:users',
        'Auth0 does not check added scopes',
      );
      assertAuth0Error(
        await call('GET', '/users', tokens.access_token),
        403,
        'insufficient_scope',
        /^Insufficient scope, expected any of: read:users$/,
      );
      assertAuth0Error(await call('DELETE', userPath(bobId), tokens.access_token), 403, 'insufficient_scope');
      assertAuth0Error(await call('GET', userPath(bobId), tokens.access_token), 403, 'insufficient_scope');
      assert.equal((await call('GET', userPath(ada.id), tokens.access_token)).status, 200);
      assert.equal((await stored(bobId)).user_id, bobId, 'nobody was deleted');
    } finally {
      await bindActions(server.storage, server.tenantId, []);
    }
  });

  it('a machine token granted *:current_user scopes cannot use them on any user', async () => {
    const { client, clientSecret } = await server.storage.clients.create(server.tenantId, {
      name: 'machine with current_user scopes',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      grants: [{ audience, scopes: ['read:current_user', 'update:current_user_metadata'] }],
    });
    const machine = await clientToken(client.clientId, clientSecret);
    assert.equal(machine.scope, 'read:current_user update:current_user_metadata');
    const before = await stored(ada.id);
    assertAuth0Error(
      await call('GET', userPath(ada.id), machine.access_token),
      403,
      'insufficient_scope',
      /^Insufficient scope, expected any of: read:users,read:current_user$/,
    );
    assertAuth0Error(
      await call('PATCH', userPath(ada.id), machine.access_token, { user_metadata: { theme: 'hacked' } }),
      403,
      'insufficient_scope',
    );
    // A machine has no user of its own: naming its own client id is no way in either.
    assertAuth0Error(
      await call('GET', userPath(client.clientId), machine.access_token),
      403,
      'insufficient_scope',
    );
    assert.deepEqual(await stored(ada.id), before);
  });

  it('the Management API declares the *:current_user scopes; the first-run client is not granted them', async () => {
    const api = await call('GET', `/resource-servers/${encodeURIComponent(audience)}`, adminToken);
    assert.equal(api.status, 200);
    const declared = (api.body.scopes as Array<{ value: string }>).map((s) => s.value);
    for (const scope of CURRENT_USER_SCOPES) assert.ok(declared.includes(scope), `declares ${scope}`);
    const grants = await call(
      'GET',
      `/client-grants?client_id=${server.firstRun.created!.clientId}&audience=${encodeURIComponent(audience)}`,
      adminToken,
    );
    assert.equal(grants.status, 200);
    const granted = grants.body[0].scope as string[];
    assert.ok(granted.includes('read:users'));
    assert.deepEqual(granted.filter(isCurrentUserScope), []);
  });

  it('on a restart after an upgrade, declares the *:current_user scopes an older installation lacks, granting them to no machine', async () => {
    const system = (await server.storage.resourceServers.findByIdentifier(server.tenantId, audience))!;
    const older = system.scopes.filter((s) => !isCurrentUserScope(s.value));
    await server.storage.resourceServers.update(server.tenantId, system.id, { scopes: older });
    // What every boot runs after the migrations.
    await ensureFirstRun(server.storage, server.config, silentLogger);
    const upgraded = (await server.storage.resourceServers.findByIdentifier(server.tenantId, audience))!;
    const values = upgraded.scopes.map((s) => s.value);
    assert.deepEqual(values.filter(isCurrentUserScope).sort(), [...CURRENT_USER_SCOPES].sort());
    assert.deepEqual(values.sort(), system.scopes.map((s) => s.value).sort(), 'nothing else changed');
    const { grants } = await server.storage.clientGrants.list(server.tenantId, {
      clientId: server.firstRun.created!.clientId,
      audience,
      take: 1,
    });
    assert.deepEqual(grants[0]!.scope.filter(isCurrentUserScope), []);
  });
});
