import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { bindActions, deployAction } from '../actions-flow/helpers.ts';
import { Browser, discover, loginWithCode, type OidcTestServer, startOidcSetup } from './helpers.ts';

/** express ships no types of its own: the little this test uses, with the middleware's handler type. */
type Handler = ReturnType<typeof auth>;
interface ExpressApp {
  set(name: string, value: unknown): void;
  get(path: string, ...handlers: Handler[]): void;
  listen(port: number, host: string): Server;
}
const express = createRequire(import.meta.url)('express') as () => ExpressApp;

const MESSAGES = 'https://messages.example.com/';
const ORDERS = 'https://orders.example.com/';
const PLAIN = 'https://plain.example.com/';

/**
 * Auth0 RBAC ("Enable RBAC" on an API): a user's access token for the API carries as `scope` only the
 * requested scopes the user holds as permissions through roles; OIDC scopes stay, the `permissions`
 * claim (authz dialects) is unchanged, machine tokens keep their client grant's scopes, and scopes
 * changed by a post-login action override RBAC. Proven with Auth0's own API middleware,
 * express-oauth2-jwt-bearer, guarding a real Express app.
 */
describe('RBAC narrows the scopes of user access tokens (Auth0 "Enable RBAC")', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let api: Server;
  let apiUrl: string;
  let readerRole: string;
  const ruth = { username: 'ruth@example.com', password: 'ruth reads the messages' };
  const nobody = { username: 'nobody@example.com', password: 'nobody holds any role' };
  const REQUEST = 'openid profile email offline_access read:messages write:messages';

  const login = (who: { username: string; password: string }, params: Record<string, string> = {}) =>
    loginWithCode(server, config, new Browser(server.issuer), who, {
      audience: MESSAGES,
      scope: REQUEST,
      ...params,
    });

  /** What the Express API answers to a bearer token on a route guarded by `requiredScopes`. */
  const call = async (path: '/read' | '/write', token: string) => {
    const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, challenge: response.headers.get('www-authenticate') };
  };

  before(async () => {
    const setup = await startOidcSetup({ users: [ruth, nobody] });
    ({ server, config } = setup);
    const [user] = setup.users;
    const scopes = (values: string[]) => values.map((value) => ({ value, description: value }));
    // RBAC on, "Add Permissions in the Access Token" off (dialect access_token): no permissions claim.
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: MESSAGES,
      name: 'Messages',
      enforcePolicies: true,
      tokenDialect: 'access_token',
      scopes: scopes(['read:messages', 'write:messages', 'delete:messages']),
    });
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: ORDERS,
      name: 'Orders',
      enforcePolicies: true,
      tokenDialect: 'access_token_authz',
      scopes: scopes(['read:orders', 'write:orders']),
    });
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: PLAIN,
      name: 'Plain',
      scopes: scopes(['read:plain', 'write:plain']),
    });
    const reader = await server.storage.roles.create(server.tenantId, { name: 'reader' });
    readerRole = reader.id;
    await server.storage.roles.addPermissions(server.tenantId, reader.id, [
      { audience: MESSAGES, permission: 'read:messages' },
      { audience: ORDERS, permission: 'read:orders' },
      { audience: ORDERS, permission: 'write:orders' },
      // A permission of the API the user never asks for: it must not appear in `scope`.
      { audience: MESSAGES, permission: 'delete:messages' },
    ]);
    await server.storage.roles.assign(server.tenantId, user.user_id, [reader.id]);

    // Auth0's quickstart API: one route per scope.
    const web = express();
    web.set('env', 'test'); // express's default error handler then answers without logging each 403
    const checkJwt = auth({ issuerBaseURL: server.issuer, audience: MESSAGES });
    web.get('/read', checkJwt, requiredScopes('read:messages'), (_req, res) => {
      res.json({ ok: 'read' });
    });
    web.get('/write', checkJwt, requiredScopes('write:messages'), (_req, res) => {
      res.json({ ok: 'write' });
    });
    api = web.listen(0, '127.0.0.1');
    await once(api, 'listening');
    apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  });
  after(async () => {
    api?.close();
    await server?.stop();
  });

  it("keeps only the requested scopes the user's roles grant: express-oauth2-jwt-bearer refuses write, allows read", async () => {
    const tokens = await login(ruth);
    assert.equal(tokens.scope, 'openid profile email read:messages');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.scope, 'openid profile email read:messages');
    assert.equal(claims.permissions, undefined, 'RBAC without "Add Permissions in the Access Token"');

    const write = await call('/write', tokens.access_token);
    assert.equal(write.status, 403);
    assert.match(write.challenge ?? '', /error="insufficient_scope"/);
    assert.match(write.challenge ?? '', /scope="write:messages"/);
    assert.equal((await call('/read', tokens.access_token)).status, 200);
  });

  it('keeps the narrowing on every refresh of the grant', async () => {
    const tokens = await login(ruth);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.scope, 'openid profile email read:messages');
    assert.equal(decodeJwt(refreshed.access_token).scope, 'openid profile email read:messages');
    assert.equal((await call('/write', refreshed.access_token)).status, 403);
    assert.equal((await call('/read', refreshed.access_token)).status, 200);

    // Asking the refresh for a scope the login requested but RBAC withheld: it was never granted
    // (RFC 6749 §6), so the exchange is refused rather than silently narrowed.
    await assert.rejects(
      oidc.refreshTokenGrant(config, refreshed.refresh_token!, {
        scope: 'openid read:messages write:messages',
      }),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.status, 400);
        assert.deepEqual(error.cause, {
          error: 'invalid_scope',
          error_description: 'refresh token missing requested scope',
          scope: 'write:messages',
        });
        return true;
      },
    );
    const narrower = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, {
      scope: 'openid read:messages',
    });
    assert.equal(narrower.scope, 'openid read:messages');
  });

  it('gives nothing of the API to a user without a role, and keeps the OIDC scopes', async () => {
    const tokens = await login(nobody);
    assert.equal(tokens.scope, 'openid profile email');
    assert.equal((await call('/read', tokens.access_token)).status, 403);
    assert.ok(tokens.id_token, 'the login itself succeeds');
  });

  it('follows role changes: a permission gained shows on a new login, a permission lost drops at the next refresh', async () => {
    const before = await login(ruth);
    await server.storage.roles.addPermissions(server.tenantId, readerRole, [
      { audience: MESSAGES, permission: 'write:messages' },
    ]);
    try {
      const refreshed = await oidc.refreshTokenGrant(config, before.refresh_token!);
      assert.equal(refreshed.scope, 'openid profile email read:messages', 'a refresh never widens the grant');

      const after = await login(ruth);
      assert.equal(after.scope, 'openid profile email read:messages write:messages');
      assert.equal((await call('/write', after.access_token)).status, 200);

      await server.storage.roles.removePermissions(server.tenantId, readerRole, [
        { audience: MESSAGES, permission: 'read:messages' },
      ]);
      const lost = await oidc.refreshTokenGrant(config, after.refresh_token!);
      assert.equal(lost.scope, 'openid profile email write:messages');
      assert.equal((await call('/read', lost.access_token)).status, 403);
    } finally {
      await server.storage.roles.removePermissions(server.tenantId, readerRole, [
        { audience: MESSAGES, permission: 'write:messages' },
      ]);
      await server.storage.roles.addPermissions(server.tenantId, readerRole, [
        { audience: MESSAGES, permission: 'read:messages' },
      ]);
    }
  });

  it('narrows `scope` and leaves the `permissions` claim whole with "Add Permissions in the Access Token"', async () => {
    const tokens = await login(ruth, { audience: ORDERS, scope: 'openid read:orders' });
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.scope, 'openid read:orders');
    assert.deepEqual(claims.permissions, ['read:orders', 'write:orders']);
  });

  it('leaves an API without RBAC alone: every requested scope', async () => {
    const tokens = await login(ruth, { audience: PLAIN, scope: 'openid read:plain write:plain' });
    assert.equal(tokens.scope, 'openid read:plain write:plain');
  });

  it("gives a machine client its client grant's scopes, RBAC or not", async () => {
    const machine = await server.storage.clients.create(server.tenantId, {
      name: 'Message sync',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ audience: MESSAGES, scopes: ['read:messages', 'write:messages'] }],
    });
    const machineConfig = await discover(server, machine.client.clientId, machine.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(machineConfig, { audience: MESSAGES });
    assert.equal(tokens.scope, 'read:messages write:messages');
    assert.equal((await call('/write', tokens.access_token)).status, 200);
  });

  it('lets a post-login action override RBAC (Auth0: actions that change scopes win)', async () => {
    await bindActions(server.storage, server.tenantId, [
      await deployAction(
        server.storage,
        server.tenantId,
        'writer',
        `exports.onExecutePostLogin = async (event, api) => { api.accessToken.addScope('write:messages'); };`,
      ),
    ]);
    try {
      const tokens = await login(ruth);
      assert.equal(tokens.scope, 'openid profile email read:messages write:messages');
      assert.equal((await call('/write', tokens.access_token)).status, 200);
    } finally {
      await bindActions(server.storage, server.tenantId, []);
    }
  });
});
