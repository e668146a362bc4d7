import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  startOidcServer,
} from '../oidc/helpers.ts';
import { bindActions, deployAction } from './helpers.ts';

const API = 'https://api.example.com/';

/**
 * Auth0's `api.accessToken.addScope/removeScope` through real logins: the change reaches the access
 * token and the token response's `scope`, on the code exchange and on every refresh of the grant, and
 * only the access token (the ID token keeps what was granted).
 */
describe('post-login actions that change the access token scope', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  const deploy = (name: string, code: string) => deployAction(server.storage, server.tenantId, name, code);
  const bind = (ids: string[]) => bindActions(server.storage, server.tenantId, ids);
  const login = (params: Record<string, string>) =>
    loginWithCode(server, config, new Browser(server.issuer), ada, params);
  /** The scope a login gets with no action bound. */
  const granted = async (params: Record<string, string>) => {
    await bind([]);
    const { scope } = await login(params);
    assert.ok(scope, 'the token response names its scope');
    return scope;
  };
  const accessToken = async (token: string) =>
    (await jwtVerify(token, jwks, { audience: API, typ: 'at+jwt' })).payload;
  const idToken = async (token: string | undefined) => {
    assert.ok(token, 'an ID token was issued');
    return (await jwtVerify(token, jwks, { audience: config.clientMetadata().client_id })).payload;
  };
  const forApi = { audience: API, scope: 'openid email offline_access read:things' };
  const withoutApi = { scope: 'openid profile email offline_access' };

  before(async () => {
    server = await startOidcServer();
    const app = await createApp(server);
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'API',
      scopes: [
        { value: 'read:things', description: 'Read' },
        { value: 'write:things', description: 'Write' },
      ],
    });
    await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password });
    config = await discover(server, app.clientId, app.clientSecret);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
  });
  beforeEach(() => bind([]));
  after(() => server.stop());

  it('a scope added by an action is in the JWT access token and the token response, and after a refresh', async () => {
    const scope = await granted(forApi);
    assert.ok(!scope.split(' ').includes('write:things'));
    await bind([
      await deploy(
        'add',
        `exports.onExecutePostLogin = async (event, api) => { api.accessToken.addScope('write:things'); };`,
      ),
    ]);
    const tokens = await login(forApi);
    assert.equal(tokens.scope, `${scope} write:things`);
    assert.equal((await accessToken(tokens.access_token)).scope, tokens.scope);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.scope, `${scope} write:things`, 'the change lives with the grant');
    assert.equal((await accessToken(refreshed.access_token)).scope, refreshed.scope);
  });

  it('a scope removed by an action leaves the access token and the token response, not the ID token, also after a refresh', async () => {
    const scope = await granted(forApi);
    assert.ok(scope.split(' ').includes('email'));
    await bind([
      await deploy(
        'remove',
        `exports.onExecutePostLogin = async (event, api) => { api.accessToken.removeScope('email'); };`,
      ),
    ]);
    const without = scope
      .split(' ')
      .filter((s) => s !== 'email')
      .join(' ');
    const tokens = await login(forApi);
    assert.equal(tokens.scope, without);
    assert.equal((await accessToken(tokens.access_token)).scope, without);
    assert.equal(
      (await idToken(tokens.id_token)).email,
      ada.username,
      'the ID token keeps the granted scope',
    );

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.scope, without);
    assert.equal((await accessToken(refreshed.access_token)).scope, without);
    assert.equal((await idToken(refreshed.id_token)).email, ada.username);
  });

  it('an opaque access token carries the change too: token response, introspection and /userinfo, also after a refresh', async () => {
    const scope = await granted(withoutApi);
    await bind([
      await deploy(
        'both',
        `exports.onExecutePostLogin = async (event, api) => {
          api.accessToken.addScope('read:reports');
          api.accessToken.removeScope('email');
        };`,
      ),
    ]);
    const expected = `${scope
      .split(' ')
      .filter((s) => s !== 'email')
      .join(' ')} read:reports`;
    const check = async (tokens: { access_token: string; scope?: string }) => {
      assert.notEqual(tokens.access_token.split('.').length, 3, 'without an audience the token is opaque');
      assert.equal(tokens.scope, expected);
      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.scope, expected);
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck);
      assert.equal(userinfo.email, undefined, 'email was removed from the access token');
      assert.ok(userinfo.sub);
    };
    const tokens = await login(withoutApi);
    await check(tokens);
    await check(await oidc.refreshTokenGrant(config, tokens.refresh_token!));
  });

  it('removing openid still issues the ID token; the access token then no longer serves /userinfo', async () => {
    const scope = await granted(forApi);
    await bind([
      await deploy(
        'no-openid',
        `exports.onExecutePostLogin = async (event, api) => { api.accessToken.removeScope('openid'); };`,
      ),
    ]);
    const tokens = await login(forApi);
    const without = scope
      .split(' ')
      .filter((s) => s !== 'openid')
      .join(' ');
    assert.equal(tokens.scope, without);
    const access = await accessToken(tokens.access_token);
    assert.equal(access.scope, without);
    assert.equal(access.aud, API, 'no userinfo audience without openid');
    assert.equal((await idToken(tokens.id_token)).email, ada.username);
    const userinfo = await fetch(`${server.issuer}userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(userinfo.status, 401);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.scope, without);
    assert.ok(refreshed.id_token, 'a refresh still returns an ID token');
  });

  it('changes from several actions combine in order, and a scope added by one and removed by another is removed', async () => {
    const scope = await granted(forApi);
    await bind([
      await deploy(
        'grant-two',
        `exports.onExecutePostLogin = async (event, api) => {
          api.accessToken.addScope('write:things').accessToken.addScope('https://example.com/audit');
        };`,
      ),
      await deploy(
        'revoke-one',
        `exports.onExecutePostLogin = async (event, api) => { api.accessToken.removeScope('write:things'); };`,
      ),
    ]);
    const tokens = await login(forApi);
    assert.equal(tokens.scope, `${scope} https://example.com/audit`);
    assert.equal((await accessToken(tokens.access_token)).scope, tokens.scope);
  });

  it('actions that change no scope leave it exactly as granted', async () => {
    const scope = await granted(forApi);
    const opaqueScope = await granted(withoutApi);
    await bind([
      await deploy(
        'claims-only',
        `exports.onExecutePostLogin = async (event, api) => {
          api.accessToken.setCustomClaim('https://example.com/plan', 'pro');
        };`,
      ),
    ]);
    const tokens = await login(forApi);
    assert.equal(tokens.scope, scope);
    assert.equal((await accessToken(tokens.access_token)).scope, scope);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.scope, scope);
    assert.equal((await login(withoutApi)).scope, opaqueScope);
  });
});
