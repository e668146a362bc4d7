import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from '../oidc/helpers.ts';
import { bindActions, deployAction, lastExecution as lastExecutionOf } from './helpers.ts';

/**
 * Real logins through the real post-login trigger: actions written as Auth0 tenants write them, deployed
 * and bound through storage, run in the sandbox, and what they ask for reaches the tokens, the app's
 * callback and the user record.
 */
describe('post-login actions in the login flow', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let userId: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  const deploy = (name: string, code: string, secrets: Array<{ name: string; value: string }> = []) =>
    deployAction(server.storage, server.tenantId, name, code, secrets);
  const bind = (ids: string[]) => bindActions(server.storage, server.tenantId, ids);
  const lastExecution = () => lastExecutionOf(server.storage, server.tenantId);
  /** A login whose callback carries an error instead of a code. */
  const deniedLogin = async () => {
    const request = await authorizationRequest(config);
    const browser = new Browser(server.issuer);
    const start = await browser.follow(request.url.href);
    const done = await browser.login(start.url, ada.username, ada.password);
    const callback = new URL(done.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    return {
      error: callback.searchParams.get('error'),
      description: callback.searchParams.get('error_description'),
    };
  };

  before(async () => {
    server = await startOidcServer();
    app = await createApp(server);
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: 'https://api.example.com/',
      name: 'API',
      scopes: [{ value: 'read:things', description: 'Read' }],
    });
    userId = (
      await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password })
    ).user_id;
    config = await discover(server, app.clientId, app.clientSecret);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
  });
  beforeEach(() => bind([]));
  after(() => server.stop());

  it('puts claims from actions in the ID and access tokens, drops restricted ones, and keeps them after a refresh', async () => {
    await bind([
      await deploy(
        'claims',
        `exports.onExecutePostLogin = async (event, api) => {
          const namespace = 'https://example.com';
          api.idToken.setCustomClaim(namespace + '/email', event.user.email);
          api.idToken.setCustomClaim('sub', 'attacker');
          api.accessToken.setCustomClaim(namespace + '/client', event.client.name);
        };`,
      ),
    ]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada, {
      audience: 'https://api.example.com/',
      scope: 'openid offline_access read:things',
    });
    const id = (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    assert.equal(id['https://example.com/email'], ada.username);
    assert.equal(id.sub, userId, 'a restricted claim is never set');
    const access = (await jwtVerify(tokens.access_token, jwks, { audience: 'https://api.example.com/' }))
      .payload;
    assert.equal(access['https://example.com/client'], 'Test App');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const again = (await jwtVerify(refreshed.id_token!, jwks, { audience: app.clientId })).payload;
    assert.equal(again['https://example.com/email'], ada.username, 'the claims live with the grant');
    const execution = await lastExecution();
    assert.equal(execution?.status, 'success');
    const logs = JSON.stringify(execution?.results);
    assert.match(logs, /claim \\"sub\\" is restricted and was ignored/);
  });

  it('builds the event from the real request: the login form without credentials, the authorization query, the audience', async () => {
    await bind([
      await deploy(
        'request',
        `exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://example.com/request', {
            body: event.request.body,
            scope: event.request.query.scope,
            hasState: typeof event.transaction.state === 'string',
            audience: event.resource_server && event.resource_server.identifier,
            methods: event.authentication.methods.map((m) => m.name),
            protocol: event.transaction.protocol,
            ip: event.request.ip,
          });
        };`,
      ),
    ]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada, {
      audience: 'https://api.example.com/',
      scope: 'openid read:things',
    });
    const id = (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    assert.deepEqual(id['https://example.com/request'], {
      body: { username: ada.username },
      scope: 'openid read:things',
      hasState: true,
      audience: 'https://api.example.com/',
      methods: ['pwd'],
      protocol: 'oidc-basic-profile',
      ip: '127.0.0.1',
    });
  });

  it('a claim or metadata value that is exactly a secret reaches the token and the user, never the record', async () => {
    await bind([
      await deploy(
        'secret-claim',
        `exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://example.com/tenant_key', event.secrets.TENANT_KEY);
          api.user.setAppMetadata('tenant_key', event.secrets.TENANT_KEY);
        };`,
        [{ name: 'TENANT_KEY', value: 'tk_live_8f3a9c' }],
      ),
    ]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
    const id = (await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId })).payload;
    assert.equal(id['https://example.com/tenant_key'], 'tk_live_8f3a9c');
    assert.equal(
      (await server.storage.users.findById(server.tenantId, userId))?.app_metadata.tenant_key,
      'tk_live_8f3a9c',
    );
    assert.ok(
      !JSON.stringify(await lastExecution()).includes('tk_live_8f3a9c'),
      'the record holds no secret',
    );
  });

  it('commits metadata set by actions once, shows it to later actions at once and to the next login', async () => {
    await bind([
      await deploy(
        'count',
        `exports.onExecutePostLogin = async (event, api) => {
        api.user.setAppMetadata('visits', (event.user.app_metadata.visits ?? 0) + 1);
        api.user.setUserMetadata('theme', 'dark');
      };`,
      ),
      await deploy(
        'read',
        `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim('https://example.com/visits', event.user.app_metadata.visits);
      };`,
      ),
    ]);
    const first = await loginWithCode(server, config, new Browser(server.issuer), ada);
    const second = await loginWithCode(server, config, new Browser(server.issuer), ada);
    const visits = async (token: string) =>
      (await jwtVerify(token, jwks, { audience: app.clientId })).payload['https://example.com/visits'];
    const before = await visits(first.id_token!);
    assert.equal(
      await visits(second.id_token!),
      Number(before) + 1,
      "the second login saw the first one's commit",
    );
    const stored = await server.storage.users.findById(server.tenantId, userId);
    assert.equal(stored?.app_metadata.visits, Number(before) + 1);
    assert.equal(stored?.user_metadata.theme, 'dark');
  });

  it('a deny stops later actions, reaches the app as access_denied with the reason, and still saves metadata', async () => {
    await bind([
      await deploy(
        'first',
        `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata('seen_by_gate', true); };`,
      ),
      await deploy(
        'gate',
        `exports.onExecutePostLogin = async (event, api) => { api.access.deny('Members only'); };`,
      ),
      await deploy(
        'never',
        `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata('never', true); };`,
      ),
    ]);
    assert.deepEqual(await deniedLogin(), { error: 'access_denied', description: 'Members only' });
    const stored = await server.storage.users.findById(server.tenantId, userId);
    assert.equal(stored?.app_metadata.seen_by_gate, true);
    assert.equal(stored?.app_metadata.never, undefined);
    const execution = await lastExecution();
    assert.equal(execution?.status, 'denied');
    assert.deepEqual(
      ((execution?.results ?? []) as Array<{ action_name: string }>).map((r) => r.action_name),
      ['first', 'gate'],
    );
  });

  it('api.validation.error reaches the app as its own error code and message', async () => {
    await bind([
      await deploy(
        'validate',
        `exports.onExecutePostLogin = async (event, api) => { api.validation.error('invalid_phone', 'Add a phone number first'); };`,
      ),
    ]);
    assert.deepEqual(await deniedLogin(), {
      error: 'invalid_phone',
      description: 'Add a phone number first',
    });
  });

  it('a thrown error fails the login with a generic message; the real one is only in the execution record', async () => {
    await bind([
      await deploy(
        'broken',
        `exports.onExecutePostLogin = async (event, api) => {\n  throw new Error('database password is hunter2');\n};`,
        [{ name: 'DB_PASSWORD', value: 'hunter2' }],
      ),
    ]);
    const denied = await deniedLogin();
    assert.equal(denied.error, 'access_denied');
    assert.equal(denied.description, 'the login could not be completed: a post-login action failed');
    const execution = await lastExecution();
    assert.equal(execution?.status, 'error');
    const recorded = JSON.stringify(execution?.results);
    assert.match(recorded, /database password is \[REDACTED\]/);
    assert.ok(!recorded.includes('hunter2'), 'the secret is not in the record');
    await bind([]);
    await loginWithCode(server, config, new Browser(server.issuer), ada);
  });

  it('a CPU-bound action stopped by its budget fails the login cleanly and the next login works', async () => {
    // The server runs with the default 20 s wall clock: a CPU loop is stopped by the 5 s CPU budget first.
    await bind([await deploy('spin', `exports.onExecutePostLogin = async () => { for (;;) {} };`)]);
    const denied = await deniedLogin();
    assert.equal(denied.error, 'access_denied');
    assert.equal((await lastExecution())?.status, 'error');
    await bind([]);
    await loginWithCode(server, config, new Browser(server.issuer), ada);
  });
});
