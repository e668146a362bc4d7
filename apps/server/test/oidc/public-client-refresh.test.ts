import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { managementAudience } from '@tessera/core';
import { ManagementClient } from 'auth0';
import * as oidc from 'openid-client';
import { failure } from '../management/users-helpers.ts';
import {
  Browser,
  createUsers,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from './helpers.ts';

/** What GET /api/v2/clients/{id} shows for a public client created without refresh-token settings. */
const ROTATING_DEFAULTS = {
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway: 0,
  token_lifetime: 2_592_000,
  infinite_token_lifetime: false,
  idle_token_lifetime: 1_296_000,
  infinite_idle_token_lifetime: false,
};

/**
 * docs/security.md#44 (RFC 9700 §4.14.2): a public client (SPA, native: no secret at the token
 * endpoint) gets rotating refresh tokens or none, and reusing a rotated one revokes the family
 * (docs/security.md#16). The clients are made as an admin makes them: through the Management API with
 * the `auth0` SDK, given only what an Auth0 quickstart gives.
 */
describe('refresh tokens of public clients', () => {
  let server: OidcTestServer;
  let management: ManagementClient;
  const nina = { username: 'nina@example.com', password: 'nina has a good password' };
  before(async () => {
    server = await startOidcServer();
    const domain = new URL(server.issuer).host;
    const admin = server.firstRun.created;
    assert.ok(admin, 'the first run created the management client');
    management = new ManagementClient({
      domain,
      audience: managementAudience(server.issuer),
      clientId: admin.clientId,
      clientSecret: admin.clientSecret,
      // The SDK speaks https://<domain>; the test server listens on plain HTTP.
      fetch: (input, init) =>
        fetch(
          String(input instanceof Request ? input.url : input).replace(`https://${domain}`, server.url),
          init,
        ),
    });
    await createUsers(server, nina);
  });
  after(() => server.stop());

  const refusedAsUsed = async (config: oidc.Configuration, refreshToken: string, message: string) =>
    assert.rejects(
      oidc.refreshTokenGrant(config, refreshToken),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        return true;
      },
      message,
    );

  /** Logs Nina in with offline_access, rotates once, replays the first token: the family dies. */
  async function provesRotationWithReuseDetection(clientId: string) {
    const config = await discover(server, clientId);
    const first = await loginWithCode(server, config, new Browser(server.issuer), nina);
    assert.ok(first.refresh_token, 'offline_access gives a refresh token');
    const second = await oidc.refreshTokenGrant(config, first.refresh_token);
    assert.ok(second.refresh_token, 'the exchange returns a new refresh token');
    assert.notEqual(second.refresh_token, first.refresh_token, 'rotated, not the same one again');
    await refusedAsUsed(config, first.refresh_token, 'a rotated refresh token redeems once');
    await refusedAsUsed(config, second.refresh_token, 'the reuse revoked the whole family');
  }

  for (const appType of ['spa', 'native'] as const) {
    it(`a ${appType} app created with defaults is public and gets rotating refresh tokens; reuse revokes the family`, async () => {
      const created = await management.clients.create({
        name: `Quickstart ${appType}`,
        app_type: appType,
        callbacks: [REDIRECT_URI],
      });
      assert.equal(created.token_endpoint_auth_method, 'none');
      assert.deepEqual(created.refresh_token, ROTATING_DEFAULTS);
      const read = await management.clients.get(created.client_id!);
      assert.deepEqual(read.refresh_token, ROTATING_DEFAULTS, 'GET shows what the provider applies');
      assert.deepEqual(read.grant_types, ['authorization_code', 'refresh_token']);

      await provesRotationWithReuseDetection(created.client_id!);
    });
  }

  it('a public client stored without refresh-token settings rotates, and the Management API says so', async () => {
    const { client } = await server.storage.clients.create(server.tenantId, {
      name: 'Stored before rotation was the default',
      appType: 'spa',
      tokenEndpointAuthMethod: 'none',
      callbacks: [REDIRECT_URI],
    });
    assert.deepEqual(client.refreshToken, {}, 'nothing stored');
    const read = await management.clients.get(client.clientId);
    assert.deepEqual(read.refresh_token, ROTATING_DEFAULTS);

    await provesRotationWithReuseDetection(client.clientId);
  });

  it('a public client configured non-rotating gets no refresh token, only its access and ID tokens', async () => {
    const created = await management.clients.create({
      name: 'Non-rotating SPA',
      app_type: 'spa',
      callbacks: [REDIRECT_URI],
      refresh_token: { rotation_type: 'non-rotating', expiration_type: 'expiring' },
    });
    assert.deepEqual(created.refresh_token, { ...ROTATING_DEFAULTS, rotation_type: 'non-rotating' });

    const config = await discover(server, created.client_id!);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), nina);
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.scope, 'openid profile email offline_access');
    assert.ok(tokens.access_token && tokens.id_token);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(tokens.claims()!.sub));
    assert.equal(userinfo.email, nina.username, 'the access token works');
  });

  it('a refresh token a public client holds keeps rotating after its settings turn non-rotating', async () => {
    const created = await management.clients.create({
      name: 'SPA switched off',
      app_type: 'spa',
      callbacks: [REDIRECT_URI],
    });
    const config = await discover(server, created.client_id!);
    const held = await loginWithCode(server, config, new Browser(server.issuer), nina);
    assert.ok(held.refresh_token);

    await management.clients.update(created.client_id!, {
      refresh_token: { rotation_type: 'non-rotating', expiration_type: 'expiring' },
    });
    const next = await oidc.refreshTokenGrant(config, held.refresh_token);
    assert.ok(next.refresh_token && next.refresh_token !== held.refresh_token, 'still rotated');
    await refusedAsUsed(config, held.refresh_token, 'never replayable');
    const fresh = await loginWithCode(server, config, new Browser(server.issuer), nina);
    assert.equal(fresh.refresh_token, undefined, 'a new login gets none');
  });

  it('a confidential client keeps its non-rotating default (the default is for public clients only)', async () => {
    const created = await management.clients.create({
      name: 'Regular web app',
      app_type: 'regular_web',
      callbacks: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    assert.equal(created.token_endpoint_auth_method, 'client_secret_post');
    assert.deepEqual(created.refresh_token, { ...ROTATING_DEFAULTS, rotation_type: 'non-rotating' });

    const config = await discover(server, created.client_id!, created.client_secret!);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), nina);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.refresh_token, tokens.refresh_token, 'the same token, as configured');
  });

  it('refuses malformed refresh-token settings for a public client with 400 and creates nothing', async () => {
    const count = async () => (await server.storage.clients.listByTenant(server.tenantId)).length;
    const before = await count();
    const bad = async (refresh_token: unknown, message: RegExp) => {
      const refused = await failure(
        management.clients.create({
          name: 'Bad SPA',
          app_type: 'spa',
          callbacks: [REDIRECT_URI],
          refresh_token: refresh_token as never,
        }),
      );
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.body.errorCode, 'invalid_body');
      assert.match(String(refused.body.message), message);
    };
    await bad({ rotation_type: 'sometimes' }, /No enum match for: "sometimes"/);
    await bad('rotating', /Expected type object but found type string/);
    await bad({ rotation_type: 'rotating', leeway: -1 }, /leeway/);
    await bad({ rotation_type: 'rotating', rotate: true }, /Additional properties not allowed: rotate/);
    assert.equal(await count(), before, 'nothing was created');
  });
});
