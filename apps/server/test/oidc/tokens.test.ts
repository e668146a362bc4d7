import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  startOidcSetup,
} from './helpers.ts';

describe('refresh tokens, client credentials and revocation', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const bob = { username: 'bob@example.com', password: 'a long and lovely password' };
  before(async () => {
    ({ server, app } = await startOidcSetup({ users: [bob] }));
  });
  after(() => server.stop());

  it('rotates refresh tokens, and reusing a rotated one revokes the whole grant (docs/security.md#16)', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const first = await loginWithCode(server, config, new Browser(server.issuer), bob);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'a new refresh token');
    assert.ok(second.id_token, 'a fresh ID token on refresh');

    await assert.rejects(
      oidc.refreshTokenGrant(config, first.refresh_token!),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        return true;
      },
    );
    await assert.rejects(
      oidc.refreshTokenGrant(config, second.refresh_token!),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant', 'the newest token died with its grant');
        return true;
      },
    );
  });

  it("refuses one client's refresh token at another client", async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), bob);
    const other = await createApp(server);
    const otherConfig = await discover(server, other.clientId, other.clientSecret);
    await assert.rejects(
      oidc.refreshTokenGrant(otherConfig, tokens.refresh_token!),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        return true;
      },
    );
  });

  it('revokes a refresh token at /oauth/revoke', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), bob);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), { error: 'invalid_grant' });
  });

  it('issues a JWT access token to a machine client for an API audience (client credentials)', async () => {
    const api = await server.storage.resourceServers.create(server.tenantId, {
      identifier: 'https://api.example.com/',
      name: 'Example API',
      scopes: [
        { value: 'read:things', description: 'Read things' },
        { value: 'write:things', description: 'Write things' },
      ],
    });
    const machine = await server.storage.clients.create(server.tenantId, {
      name: 'Worker',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ audience: api.identifier, scopes: ['read:things'] }],
    });
    const config = await discover(server, machine.client.clientId, machine.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(config, { audience: api.identifier });
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: server.issuer,
      audience: api.identifier,
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.scope, 'read:things', 'the scopes of the client grant, nothing more');
    assert.equal(payload.client_id, machine.client.clientId);

    const wrongSecret = await discover(server, machine.client.clientId, 'not-the-secret');
    await assert.rejects(oidc.clientCredentialsGrant(wrongSecret, { audience: api.identifier }), {
      error: 'invalid_client',
    });
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { audience: 'https://unknown.example.com/' }),
      (error: oidc.ResponseBodyError) => {
        assert.ok(['invalid_target', 'access_denied'].includes(error.error));
        return true;
      },
    );
    assert.equal(decodeJwt(tokens.access_token).iss, server.issuer);
  });
  it("honours the client's refresh_token settings: idle and absolute lifetimes, non-expiring, non-rotating", async () => {
    const lifetimeOf = async (refreshToken: Record<string, unknown>) => {
      const client = await createApp(server, { refreshToken });
      const config = await discover(server, client.clientId, client.clientSecret);
      const tokens = await loginWithCode(server, config, new Browser(server.issuer), bob);
      const introspected = await oidc.tokenIntrospection(config, tokens.refresh_token!);
      assert.equal(introspected.active, true);
      return { config, tokens, seconds: Number(introspected.exp) - Number(introspected.iat) };
    };
    const idle = await lifetimeOf({
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      token_lifetime: 7200,
      idle_token_lifetime: 600,
    });
    assert.equal(idle.seconds, 600, 'the idle lifetime when shorter');
    const absolute = await lifetimeOf({
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      token_lifetime: 300,
      idle_token_lifetime: 600,
    });
    assert.equal(absolute.seconds, 300, 'the absolute lifetime when shorter');
    const forever = await lifetimeOf({ rotation_type: 'non-rotating', expiration_type: 'non-expiring' });
    assert.ok(forever.seconds >= 5 * 365 * 86_400 - 5, `non-expiring lasts years, got ${forever.seconds}`);
    const refreshed = await oidc.refreshTokenGrant(forever.config, forever.tokens.refresh_token!);
    assert.ok(
      !refreshed.refresh_token || refreshed.refresh_token === forever.tokens.refresh_token,
      'non-rotating keeps its token',
    );
    await oidc.refreshTokenGrant(forever.config, forever.tokens.refresh_token!);
  });
});
