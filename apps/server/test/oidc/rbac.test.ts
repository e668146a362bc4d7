import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { Browser, discover, loginWithCode, type OidcTestServer, startOidcSetup } from './helpers.ts';

describe('RBAC: permissions in access tokens (Auth0 "Add Permissions in the Access Token")', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const grace = { username: 'grace@example.com', password: 'grace has a good password' };
  const AUDIENCE = 'https://orders.example.com/';
  before(async () => {
    const setup = await startOidcSetup({ users: [grace] });
    ({ server, app } = setup);
    const [user] = setup.users;
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: AUDIENCE,
      name: 'Orders',
      enforcePolicies: true,
      tokenDialect: 'access_token_authz',
      scopes: ['read:orders', 'write:orders', 'delete:orders'].map((value) => ({
        value,
        description: value,
      })),
    });
    const clerk = await server.storage.roles.create(server.tenantId, { name: 'clerk' });
    await server.storage.roles.addPermissions(server.tenantId, clerk.id, [
      { audience: AUDIENCE, permission: 'read:orders' },
      { audience: AUDIENCE, permission: 'write:orders' },
    ]);
    await server.storage.roles.assign(server.tenantId, user.user_id, [clerk.id]);
  });
  after(() => server.stop());

  it("lists the user's permissions on the API, from their roles", async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), grace, {
      audience: AUDIENCE,
      scope: 'openid read:orders',
    });
    assert.deepEqual(decodeJwt(tokens.access_token).permissions, ['read:orders', 'write:orders']);
  });

  it('lists the granted scopes as permissions of a machine token', async () => {
    const machine = await server.storage.clients.create(server.tenantId, {
      name: 'Order sync',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ audience: AUDIENCE, scopes: ['read:orders'] }],
    });
    const config = await discover(server, machine.client.clientId, machine.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(config, { audience: AUDIENCE });
    assert.deepEqual(decodeJwt(tokens.access_token).permissions, ['read:orders']);
  });

  it('adds no permissions claim for an API without RBAC', async () => {
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: 'https://plain.example.com/',
      name: 'Plain',
      scopes: [{ value: 'read', description: 'read' }],
    });
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), grace, {
      audience: 'https://plain.example.com/',
      scope: 'openid read',
    });
    assert.equal(decodeJwt(tokens.access_token).permissions, undefined);
  });
});
