import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@tessera/testing';
import { FAILED_DESCRIPTION, REFRESH_FAILED_DESCRIPTION } from '@tessera/triggers';
import { decodeJwt } from 'jose';
import { type Cluster, firstUnreachable, POSTGRES, REDIS, startCluster } from '../cluster.ts';
import {
  authorizationRequest,
  Browser,
  createUsers,
  type OidcTestServer,
  REDIRECT_URI,
  refreshExchange,
  startOidcServer,
} from '../oidc/helpers.ts';
import { lastExecution, loginToCallback, recordedFailure } from './helpers.ts';
import {
  type ApiAnswer,
  assertRefused,
  bindCode,
  createRefreshApp,
  executionCount,
  loginForRefresh,
  managementApi,
  type RefreshApp,
  refresh,
  refusal,
  userPath,
} from './refresh-helpers.ts';

/**
 * docs/actions.md#what-runs-on-a-refresh-token-exchange: every refresh-token exchange runs the tenant's
 * post-login actions, on fresh user data, and what they decide shapes (or refuses) this exchange's
 * tokens. Apps are real RPs (openid-client), users are changed through the Management API between
 * exchanges, as an admin would.
 */
const NS = 'https://tessera.test/';
const API = 'https://api.example.com/';
const ORDERS = 'https://orders.example.com/';

const ada = { username: 'ada@example.com', password: 'ada has a long password' };
const grace = { username: 'grace@example.com', password: 'grace has a long password' };
const bob = { username: 'bob@example.com', password: 'bob has a long password' };
const carol = { username: 'carol@example.com', password: 'carol has a long password' };
const erin = { username: 'erin@example.com', password: 'erin has a long password' };

/** Sets a claim in both tokens from the plan in app_metadata, and shows what the event says of the transaction. */
const PLAN_CLAIMS = `exports.onExecutePostLogin = async (event, api) => {
  const plan = event.user.app_metadata.plan || 'free';
  api.idToken.setCustomClaim('${NS}plan', plan);
  api.accessToken.setCustomClaim('${NS}plan', plan);
  api.idToken.setCustomClaim('${NS}seen', {
    protocol: event.transaction.protocol,
    canRedirect: api.redirect.canRedirect(),
  });
};`;

const action = (body: string) => `exports.onExecutePostLogin = async (event, api) => { ${body} };`;

/** The claims of our namespace in a token's payload. */
const ours = (payload: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(payload ?? {}).filter(([key]) => key.startsWith(NS)));

describe('the post-login trigger on refresh-token exchanges', () => {
  let server: OidcTestServer;
  let api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  let rotating: RefreshApp;
  let nonRotating: RefreshApp;
  let ids: Record<'ada' | 'grace' | 'bob' | 'carol' | 'erin', string>;
  const apps = () => [rotating, nonRotating];

  before(async () => {
    server = await startOidcServer();
    api = await managementApi(server);
    rotating = await createRefreshApp(server, { rotating: true });
    nonRotating = await createRefreshApp(server, { rotating: false });
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'API',
      scopes: [{ value: 'read:things', description: 'Read' }],
    });
    const users = await createUsers(server, ada, grace, bob, carol, erin);
    ids = {
      ada: users[0].user_id,
      grace: users[1].user_id,
      bob: users[2].user_id,
      carol: users[3].user_id,
      erin: users[4].user_id,
    };
  });
  beforeEach(() => bindCode(server));
  after(() => server?.stop());

  const patchUser = async (userId: string, body: Record<string, unknown>) => {
    const answer = await api('PATCH', userPath(userId), body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };

  for (const kind of ['rotating', 'non-rotating'] as const) {
    it(`recomputes claims from the user as stored now, and replaces the login's (${kind} client)`, async () => {
      const app = kind === 'rotating' ? rotating : nonRotating;
      await patchUser(ids.ada, { app_metadata: { plan: 'silver' } });
      await bindCode(server, PLAN_CLAIMS);
      const login = await loginForRefresh(server, app, ada, {
        audience: API,
        scope: 'openid offline_access read:things',
      });
      assert.equal(login.idClaims[`${NS}plan`], 'silver');
      assert.deepEqual(login.idClaims[`${NS}seen`], { protocol: 'oidc-basic-profile', canRedirect: true });

      await patchUser(ids.ada, { app_metadata: { plan: 'gold' } });
      const first = await refresh(app, login.refreshToken);
      assert.equal(first.id[`${NS}plan`], 'gold', 'the ID token carries the plan as stored now');
      assert.equal(first.access?.[`${NS}plan`], 'gold', 'so does the access token');
      assert.deepEqual(first.id[`${NS}seen`], { protocol: 'oauth2-refresh-token', canRedirect: false });

      await patchUser(ids.ada, { app_metadata: { plan: 'platinum' } });
      const second = await refresh(app, first.refreshToken);
      assert.equal(second.id[`${NS}plan`], 'platinum');
      assert.equal(second.access?.[`${NS}plan`], 'platinum');

      // An action that no longer sets the plan: the claim is gone, not carried over from before.
      await bindCode(server, action(`api.idToken.setCustomClaim('${NS}other', 1);`));
      const third = await refresh(app, second.refreshToken);
      assert.deepEqual(ours(third.id), { [`${NS}other`]: 1 });
      assert.deepEqual(ours(third.access), {});

      await bindCode(server);
      const fourth = await refresh(app, third.refreshToken);
      assert.deepEqual(ours(fourth.id), {}, 'no action bound: no custom claims at all');
      assert.deepEqual(ours(fourth.access), {});
      assert.equal(fourth.id.sub, ids.ada);
    });
  }

  it('takes roles and RBAC permissions as they are now: a role removed through the Management API is gone from the next access token', async () => {
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: ORDERS,
      name: 'Orders',
      enforcePolicies: true,
      tokenDialect: 'access_token_authz',
      scopes: ['read:orders', 'write:orders'].map((value) => ({ value, description: value })),
    });
    const role = async (name: string, permissions: string[]) => {
      const created = await api('POST', '/roles', { name });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const added = await api('POST', `/roles/${created.body.id}/permissions`, {
        permissions: permissions.map((permission_name) => ({
          resource_server_identifier: ORDERS,
          permission_name,
        })),
      });
      assert.ok(added.status === 201 || added.status === 200, JSON.stringify(added.body));
      return created.body.id as string;
    };
    const clerk = await role('clerk', ['read:orders', 'write:orders']);
    const auditor = await role('auditor', ['read:orders']);
    const assign = await api('POST', `${userPath(ids.grace)}/roles`, { roles: [clerk] });
    assert.ok(assign.status === 204 || assign.status === 200, JSON.stringify(assign.body));
    await bindCode(
      server,
      action(`api.accessToken.setCustomClaim('${NS}roles', event.authorization.roles);`),
    );

    const login = await loginForRefresh(server, rotating, grace, {
      audience: ORDERS,
      scope: 'openid offline_access read:orders write:orders',
    });
    const atLogin = decodeJwt(login.tokens.access_token);
    assert.deepEqual(atLogin.permissions, ['read:orders', 'write:orders']);
    assert.deepEqual(atLogin[`${NS}roles`], ['clerk']);

    const removed = await api('DELETE', `${userPath(ids.grace)}/roles`, { roles: [clerk] });
    assert.ok(removed.status === 204 || removed.status === 200, JSON.stringify(removed.body));
    const without = await refresh(rotating, login.refreshToken);
    assert.deepEqual(without.access?.[`${NS}roles`], [], 'event.authorization.roles is read fresh');
    assert.deepEqual(without.access?.permissions ?? [], [], 'the removed role grants nothing any more');
    assert.deepEqual(String(without.access?.scope).split(' '), ['openid'], 'nor any scope of the API');

    await api('POST', `${userPath(ids.grace)}/roles`, { roles: [auditor] });
    const audited = await refresh(rotating, without.refreshToken);
    assert.deepEqual(audited.access?.[`${NS}roles`], ['auditor']);
    assert.deepEqual(audited.access?.permissions, ['read:orders']);
    assert.deepEqual(String(audited.access?.scope).split(' ').sort(), ['openid', 'read:orders']);
  });

  for (const kind of ['rotating', 'non-rotating'] as const) {
    it(`a deny or a validation error refuses the exchange with the action's words and leaves the token valid (${kind} client)`, async () => {
      const app = kind === 'rotating' ? rotating : nonRotating;
      const { refreshToken } = await loginForRefresh(server, app, ada);
      await bindCode(server, action(`api.access.deny('Your plan has expired: renew at billing');`));
      await assertRefused(app, refreshToken, 'Your plan has expired: renew at billing');
      await assertRefused(app, refreshToken, 'Your plan has expired: renew at billing', 'again');
      // The wire format an Auth0 SDK reads: a JSON body with exactly the two members.
      const raw = await rawExchange(server, app, refreshToken);
      assert.equal(raw.status, 400);
      assert.match(raw.contentType ?? '', /^application\/json/);
      assert.deepEqual(raw.body, {
        error: 'invalid_grant',
        error_description: 'Your plan has expired: renew at billing',
      });

      await bindCode(server, action(`api.validation.error('invalid_plan', 'Plan limits exceeded');`));
      assert.deepEqual(await refusal(app, refreshToken), {
        status: 400,
        error: 'invalid_plan',
        description: 'Plan limits exceeded',
      });

      await bindCode(server);
      const next = await refresh(app, refreshToken);
      await refresh(app, next.refreshToken);
    });
  }

  it('api.refreshToken.revoke refuses with its reason and revokes the whole grant: the token, its predecessor and a sibling, even once unbound', async () => {
    const first = await loginForRefresh(server, rotating, ada);
    const sibling = await ssoRefreshToken(rotating, first.browser);
    const elsewhere = await loginForRefresh(server, rotating, ada);
    const current = (await refresh(rotating, first.refreshToken)).refreshToken;

    await bindCode(
      server,
      action(
        `if (event.transaction.protocol === 'oauth2-refresh-token') api.refreshToken.revoke('Device reported stolen');`,
      ),
    );
    await assertRefused(rotating, current, 'Device reported stolen');
    await bindCode(server);
    await assertRefused(rotating, current, undefined, 'the revoked token, with nothing bound');
    await assertRefused(
      rotating,
      sibling,
      undefined,
      'a sibling of the same grant (SSO login in that browser)',
    );
    await assertRefused(rotating, first.refreshToken, undefined, 'the predecessor');
    // Another login of the same user and app (another browser: another grant) is not touched.
    await refresh(rotating, elsewhere.refreshToken);
  });

  it('api.refreshToken.revoke on a non-rotating client ends that token', async () => {
    const { refreshToken } = await loginForRefresh(server, nonRotating, ada);
    await refresh(nonRotating, refreshToken);
    await bindCode(server, action(`api.refreshToken.revoke('');`));
    await assertRefused(nonRotating, refreshToken, '');
    await bindCode(server);
    await assertRefused(nonRotating, refreshToken, undefined, 'revoked, also with nothing bound');
  });

  it('api.refreshToken.revoke with a bad reason fails the run without revoking; on a login it fails the login', async () => {
    const { refreshToken } = await loginForRefresh(server, rotating, ada);
    await bindCode(server, action(`api.refreshToken.revoke(42);`));
    await assertRefused(rotating, refreshToken, REFRESH_FAILED_DESCRIPTION);
    assert.match(
      recordedFailure(await lastExecution(server.storage, server.tenantId))?.message ?? '',
      /api\.refreshToken\.revoke: reason must be a string \(got a number\)/,
    );
    await bindCode(server);
    await refresh(rotating, refreshToken);

    // On a login there is no refresh token being exchanged: the call is an error, not a no-op.
    await bindCode(server, action(`api.refreshToken.revoke('nope');`));
    const login = await loginToCallback(rotating.config, new Browser(server.issuer), ada);
    assert.equal(login.params.error, 'access_denied');
    assert.equal(login.params.error_description, FAILED_DESCRIPTION);
    assert.match(
      recordedFailure(await lastExecution(server.storage, server.tenantId))?.message ?? '',
      /can only be used when event\.transaction\.protocol is "oauth2-refresh-token"/,
    );
  });

  it('api.refreshToken.setExpiresAt / setIdleExpiresAt: the earliest call wins, the client lifetime is never exceeded, and the store enforces them', async () => {
    // Each app's name picks what the bound actions ask for on its exchanges.
    const make = (name: string, rotates: boolean, idleTokenLifetime = 1_800) =>
      createRefreshApp(server, { name, rotating: rotates, tokenLifetime: 3_600, idleTokenLifetime });
    const variants = {
      rotE: await make('rotE', true),
      rotI: await make('rotI', true),
      nonE: await make('nonE', false),
      nonI: await make('nonI', false),
      rotCap: await make('rotCap', true),
      nonCap: await make('nonCap', false),
      rotShort: await make('rotShort', true, 3),
    };
    const order = ['rotShort', 'rotE', 'rotI', 'nonE', 'nonI', 'rotCap', 'nonCap'] as const;
    const logins = {} as Record<keyof typeof variants, string>;
    for (const name of order.slice(1))
      logins[name] = (await loginForRefresh(server, variants[name], ada)).refreshToken;

    const far = 10 * 86_400_000;
    await bindCode(
      server,
      `exports.onExecutePostLogin = async (event, api) => {
        const now = Date.now();
        api.idToken.setCustomClaim('${NS}now', now);
        const name = event.client.name;
        if (name === 'rotE' || name === 'nonE') {
          api.refreshToken.setExpiresAt(now + 60000);
          api.refreshToken.setExpiresAt(now + 3000);
        }
        if (name === 'rotI' || name === 'nonI') api.refreshToken.setIdleExpiresAt(now + 3000);
        if (name === 'rotCap' || name === 'nonCap' || name === 'rotShort') {
          api.refreshToken.setExpiresAt(now + ${far});
          api.refreshToken.setIdleExpiresAt(now + ${far});
        }
      };`,
      // A later action asking for later ends changes nothing: the earliest wins across actions too.
      action(`const name = event.client.name;
        if (name.endsWith('E')) api.refreshToken.setExpiresAt(Date.now() + 120000);
        if (name.endsWith('I')) api.refreshToken.setIdleExpiresAt(Date.now() + 120000);`),
    );
    // rotShort's first token lives 3 s: it logs in last and is exchanged first. (Its login runs the
    // actions too, where the expiry calls do nothing: no refresh token is being exchanged.)
    logins.rotShort = (await loginForRefresh(server, variants.rotShort, ada)).refreshToken;
    const exchanged = {} as Record<keyof typeof variants, { token: string; now: number }>;
    for (const name of order) {
      const answer = await refresh(variants[name], logins[name]);
      exchanged[name] = { token: answer.refreshToken, now: answer.id[`${NS}now`] as number };
    }
    await bindCode(server);

    // What the store now holds for each family (the Management API's view of the live token).
    const family = async (app: RefreshApp) => {
      const listed = await api(
        'GET',
        `/refresh-tokens?user_id=${encodeURIComponent(ids.ada)}&client_id=${app.clientId}`,
      );
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.equal(listed.body.refresh_tokens.length, 1, `one family for ${app.name}`);
      const token = listed.body.refresh_tokens[0];
      return {
        createdAt: Date.parse(token.created_at),
        expiresAt: Date.parse(token.expires_at),
        idleExpiresAt: Date.parse(token.idle_expires_at),
      };
    };
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    const ends: number[] = [];
    for (const name of ['rotE', 'nonE'] as const) {
      const stored = await family(variants[name]);
      assert.equal(
        stored.expiresAt,
        second(exchanged[name].now + 3000),
        `${name}: the earliest absolute end`,
      );
      assert.ok(stored.idleExpiresAt <= stored.expiresAt, `${name}: idle end within the absolute one`);
      ends.push(stored.expiresAt);
    }
    for (const name of ['rotI', 'nonI'] as const) {
      const stored = await family(variants[name]);
      assert.equal(
        stored.idleExpiresAt,
        second(exchanged[name].now + 3000),
        `${name}: the requested idle end`,
      );
      assert.equal(stored.expiresAt, stored.createdAt + 3_600_000, `${name}: the absolute end unchanged`);
      ends.push(stored.idleExpiresAt);
    }
    for (const name of ['rotCap', 'nonCap', 'rotShort'] as const) {
      const stored = await family(variants[name]);
      assert.equal(stored.expiresAt, stored.createdAt + 3_600_000, `${name}: not beyond token_lifetime`);
      const idle = name === 'rotShort' ? 3 : 1_800;
      assert.ok(
        stored.idleExpiresAt <= second(exchanged[name].now) + (idle + 1) * 1000,
        `${name}: not beyond idle_token_lifetime (${idle} s)`,
      );
      if (name === 'rotShort') ends.push(stored.idleExpiresAt);
    }

    // A rotating family's end is inherited by every successor; a non-rotating token's exchange does
    // not extend it.
    const rotE = await refresh(variants.rotE, exchanged.rotE.token);
    assert.equal((await family(variants.rotE)).expiresAt, ends[0], 'the successor keeps the family end');
    await refresh(variants.nonE, exchanged.nonE.token);

    await sleep(Math.max(...ends) - Date.now() + 1_100);
    await assertRefused(variants.rotE, rotE.refreshToken, undefined, 'rotE: past its family end');
    await assertRefused(variants.nonE, exchanged.nonE.token, undefined, 'nonE: past its lowered end');
    await assertRefused(variants.rotI, exchanged.rotI.token, undefined, 'rotI: past its idle end');
    await assertRefused(variants.nonI, exchanged.nonI.token, undefined, 'nonI: past its idle end');
    await assertRefused(
      variants.rotShort,
      exchanged.rotShort.token,
      undefined,
      'rotShort: the client idle lifetime holds',
    );
    // The controls: asked for far ends, still inside the client's lifetimes.
    await refresh(variants.rotCap, exchanged.rotCap.token);
    await refresh(variants.nonCap, exchanged.nonCap.token);
  });

  it('a thrown error refuses with the generic description, keeps the message in the record, and does not consume the token', async () => {
    const { refreshToken } = await loginForRefresh(server, rotating, ada);
    await bindCode(
      server,
      action(`throw new Error('billing service unreachable (ECONNREFUSED 10.0.0.7:443)');`),
    );
    const answer = await assertRefused(rotating, refreshToken, REFRESH_FAILED_DESCRIPTION);
    assert.doesNotMatch(answer.description ?? '', /billing|ECONNREFUSED/);
    const record = await lastExecution(server.storage, server.tenantId);
    assert.equal(record.status, 'error');
    assert.match(recordedFailure(record)?.message ?? '', /billing service unreachable/);
    const shown = await api('GET', `/actions/executions/${record.id}`);
    assert.equal(shown.status, 200);
    assert.match(JSON.stringify(shown.body), /billing service unreachable/);
    await assertRefused(rotating, refreshToken, REFRESH_FAILED_DESCRIPTION, 'the retry fails the same way');

    await bindCode(server, action(`api.idToken.setCustomClaim('${NS}fixed', true);`));
    const fixed = await refresh(rotating, refreshToken);
    assert.equal(fixed.id[`${NS}fixed`], true, 'the same token works once the action is fixed');
    await refresh(rotating, fixed.refreshToken);
  });

  it('calls that need a user at a browser fail the run, naming why in the record; multifactor.enable("none") is fine', async () => {
    const { refreshToken } = await loginForRefresh(server, rotating, ada);
    const cases: Array<[string, RegExp]> = [
      [
        `api.redirect.sendUserTo('https://app.example.com/more');`,
        /api\.redirect\.sendUserTo: this transaction cannot redirect the user \(protocol "oauth2-refresh-token"/,
      ],
      [`api.prompt.render('ap_form');`, /api\.prompt\.render: this transaction cannot redirect the user/],
      [
        `api.multifactor.enable('any');`,
        /api\.multifactor\.enable cannot be used in a refresh token exchange/,
      ],
      [
        `api.authentication.challengeWith({ type: 'otp' });`,
        /api\.authentication\.challengeWith cannot be used in a refresh token exchange/,
      ],
      [
        `api.authentication.enrollWithAny([{ type: 'otp' }]);`,
        /api\.authentication\.enrollWithAny cannot be used in a refresh token exchange/,
      ],
    ];
    for (const [call, message] of cases) {
      await bindCode(server, action(call));
      await assertRefused(rotating, refreshToken, REFRESH_FAILED_DESCRIPTION, call);
      const record = await lastExecution(server.storage, server.tenantId);
      assert.equal(record.status, 'error', call);
      assert.match(recordedFailure(record)?.message ?? '', message, call);
    }
    await bindCode(
      server,
      action(`api.multifactor.enable('none'); api.idToken.setCustomClaim('${NS}mfa', 'none');`),
    );
    const answer = await refresh(rotating, refreshToken);
    assert.equal(answer.id[`${NS}mfa`], 'none');
  });

  it('bad expiry arguments fail the run and leave the token as it was', async () => {
    const { refreshToken } = await loginForRefresh(server, rotating, ada);
    const cases: Array<[string, RegExp]> = [
      [
        `api.refreshToken.setExpiresAt(Math.floor(Date.now() / 1000) + 60);`,
        /api\.refreshToken\.setExpiresAt: absolute looks like seconds/,
      ],
      [
        `api.refreshToken.setIdleExpiresAt('tomorrow');`,
        /api\.refreshToken\.setIdleExpiresAt: inactivity must be a positive integer of milliseconds/,
      ],
      [`api.refreshToken.setExpiresAt(-1);`, /must be a positive integer/],
    ];
    for (const [call, message] of cases) {
      await bindCode(server, action(call));
      await assertRefused(rotating, refreshToken, REFRESH_FAILED_DESCRIPTION, call);
      assert.match(
        recordedFailure(await lastExecution(server.storage, server.tenantId))?.message ?? '',
        message,
        call,
      );
    }
    await bindCode(server);
    await refresh(rotating, refreshToken);
  });

  it('commits metadata set on a refresh, also when the run then denies', async () => {
    const { refreshToken } = await loginForRefresh(server, rotating, erin);
    await bindCode(
      server,
      action(`api.user.setAppMetadata('refreshes', (event.user.app_metadata.refreshes || 0) + 1);
        api.user.setUserMetadata('last_seen_via', event.transaction.protocol);`),
    );
    const first = await refresh(rotating, refreshToken);
    const second = await refresh(rotating, first.refreshToken);
    let user = (await api('GET', userPath(ids.erin))).body;
    assert.equal(user.app_metadata.refreshes, 2, 'each exchange saw the previous one’s commit');
    assert.equal(user.user_metadata.last_seen_via, 'oauth2-refresh-token');

    await bindCode(
      server,
      action(`api.user.setAppMetadata('flagged', 'on refresh');`),
      action(`api.access.deny('Account under review');`),
      action(`api.user.setAppMetadata('never', true);`),
    );
    await assertRefused(rotating, second.refreshToken, 'Account under review');
    user = (await api('GET', userPath(ids.erin))).body;
    assert.equal(user.app_metadata.flagged, 'on refresh', 'committed although the run denied');
    assert.equal(user.app_metadata.never, undefined, 'the deny stopped later actions');
  });

  it('a user blocked or deleted through the Management API cannot refresh, whatever the actions; no action runs', async () => {
    const bobs = [
      await loginForRefresh(server, rotating, bob),
      await loginForRefresh(server, nonRotating, bob),
    ];
    const carols = [
      await loginForRefresh(server, rotating, carol),
      await loginForRefresh(server, nonRotating, carol),
    ];
    await bindCode(server, action(`api.idToken.setCustomClaim('${NS}allowed', true);`));
    await patchUser(ids.bob, { blocked: true });
    const deleted = await api('DELETE', userPath(ids.carol));
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    const runs = await executionCount(server);
    for (const [index, app] of apps().entries()) {
      await assertRefused(app, bobs[index]!.refreshToken, undefined, `blocked, ${app.name}`);
      await assertRefused(app, carols[index]!.refreshToken, undefined, `deleted, ${app.name}`);
    }
    assert.equal(await executionCount(server), runs, 'refused before any action ran');
  });

  it('event.refresh_token describes the family, its session, its API and its device', async () => {
    await bindCode(
      server,
      action(`api.idToken.setCustomClaim('${NS}rt', event.refresh_token);
        api.idToken.setCustomClaim('${NS}request', { ip: event.request.ip, user_agent: event.request.user_agent });
        api.idToken.setCustomClaim('${NS}session', event.session ? event.session.id : null);`),
    );
    for (const app of apps()) {
      app.userAgent = 'ExampleRP/1.0 (login)';
      const login = await loginForRefresh(server, app, ada, {
        audience: API,
        scope: 'openid offline_access read:things',
      });
      app.userAgent = 'ExampleRP/2.0 (first refresh)';
      const first = await refresh(app, login.refreshToken);
      app.userAgent = 'ExampleRP/3.0 (second refresh)';
      const second = await refresh(app, first.refreshToken);
      app.userAgent = undefined;
      type Described = Record<string, unknown> & {
        device: Record<string, string>;
        resource_servers: unknown[];
      };
      const rt1 = first.id[`${NS}rt`] as Described;
      const rt2 = second.id[`${NS}rt`] as Described;
      const request = first.id[`${NS}request`] as { ip: string; user_agent: string };
      const what = app.name;

      assert.equal(typeof rt1.id, 'string', what);
      assert.equal(rt2.id, rt1.id, `${what}: the id is the family's, stable across exchanges`);
      for (const token of [login.refreshToken, first.refreshToken, second.refreshToken])
        assert.ok(!token.includes(rt1.id as string) && rt1.id !== token, `${what}: the id is not the token`);
      assert.equal(rt1.client_id, app.clientId, what);
      assert.equal(rt1.user_id, ids.ada, what);
      assert.equal(rt1.rotating, app.rotating, what);
      assert.equal(typeof login.idClaims.sid, 'string', `${what}: the ID token names its session`);
      assert.equal(rt1.session_id, login.idClaims.sid, `${what}: session_id is the ID token's sid`);
      assert.equal(first.id[`${NS}session`], login.idClaims.sid, `${what}: event.session is that session`);
      assert.equal(rt1.resource_servers.length, 1, what);
      assert.equal((rt1.resource_servers[0] as { audience: string }).audience, API, what);
      assert.equal(rt2.created_at, rt1.created_at, what);
      assert.equal(
        Date.parse(rt1.expires_at as string) - Date.parse(rt1.created_at as string),
        30 * 86_400_000,
        `${what}: Auth0's default absolute lifetime`,
      );
      assert.equal(request.user_agent, 'ExampleRP/2.0 (first refresh)', what);
      assert.deepEqual(
        rt1.device,
        {
          initial_ip: request.ip,
          initial_user_agent: 'ExampleRP/1.0 (login)',
          last_ip: request.ip,
          last_user_agent: 'ExampleRP/1.0 (login)',
        },
        `${what}: the device as the code exchange left it`,
      );
      assert.equal(rt2.device.initial_user_agent, 'ExampleRP/1.0 (login)', what);
      // A non-rotating token's record is written once the answer is sent: the next case waits for it.
      if (app.rotating)
        assert.equal(
          rt2.device.last_user_agent,
          'ExampleRP/2.0 (first refresh)',
          `${what}: the last exchange's`,
        );
      assert.equal(rt1.last_exchanged_at, undefined, `${what}: never exchanged before`);
      if (app.rotating)
        assert.equal(typeof rt2.last_exchanged_at, 'string', `${what}: exchanged once before`);

      const shown = await api('GET', `/refresh-tokens/${encodeURIComponent(rt1.id as string)}`);
      assert.equal(shown.status, 200, JSON.stringify(shown.body));
      assert.equal(shown.body.id, rt1.id, what);
      assert.equal(shown.body.session_id, login.idClaims.sid, what);
    }
  });

  it('a non-rotating token records its last exchange (last_exchanged_at, device.last_*) once answered', async () => {
    await bindCode(server, action(`api.idToken.setCustomClaim('${NS}rt', event.refresh_token);`));
    nonRotating.userAgent = 'ExampleRP/1.0 (login)';
    const login = await loginForRefresh(server, nonRotating, ada);
    nonRotating.userAgent = 'ExampleRP/2.0 (first refresh)';
    const first = await refresh(nonRotating, login.refreshToken);
    nonRotating.userAgent = undefined;
    const family = (first.id[`${NS}rt`] as { id: string }).id;
    // Written after the answer (bookkeeping, not part of the exchange): wait until it is there.
    await waitFor(async () => {
      const shown = await api('GET', `/refresh-tokens/${encodeURIComponent(family)}`);
      return shown.body?.device?.last_user_agent === 'ExampleRP/2.0 (first refresh)';
    }, 'the first exchange recorded');
    const second = await refresh(nonRotating, login.refreshToken);
    const rt = second.id[`${NS}rt`] as { last_exchanged_at?: string; device: Record<string, string> };
    assert.equal(rt.device.initial_user_agent, 'ExampleRP/1.0 (login)');
    assert.equal(rt.device.last_user_agent, 'ExampleRP/2.0 (first refresh)');
    assert.equal(typeof rt.last_exchanged_at, 'string');
    assert.ok(
      Date.parse(rt.last_exchanged_at!) >=
        Date.parse((first.id[`${NS}rt`] as { created_at: string }).created_at),
    );
  });
});

/** A second login of the app in the same browser session (SSO, no login page): a sibling in the grant. */
async function ssoRefreshToken(app: RefreshApp, browser: Browser): Promise<string> {
  const request = await authorizationRequest(app.config, { scope: 'openid profile email offline_access' });
  const back = await browser.follow(request.url.href);
  assert.ok(back.url.startsWith(REDIRECT_URI), `SSO, no login page: ${back.url}`);
  const tokens = await request.redeem(back.url);
  assert.ok(tokens.refresh_token);
  return tokens.refresh_token;
}

/** An exchange as raw HTTP, to see the wire format. */
const rawExchange = (server: OidcTestServer, app: RefreshApp, refreshToken: string) =>
  refreshExchange(server.issuer, app, refreshToken);

const clusterUnreachable =
  process.env.DATABASE_URL && process.env.REDIS_URL
    ? await firstUnreachable([
        ['Postgres', POSTGRES],
        ['Redis', REDIS],
      ])
    : 'needs DATABASE_URL and REDIS_URL (two processes sharing Postgres and Redis)';
if (clusterUnreachable)
  process.stderr.write(
    `\n*** refresh-trigger.test.ts: the two-process case SKIPPED: ${clusterUnreachable} ***\n\n`,
  );

describe('the post-login trigger on refresh exchanges across two processes', {
  skip: clusterUnreachable,
}, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ staggered: true });
    await createUsers(cluster, ada);
  });
  after(() => cluster?.stop());

  it('a token revoked by an action on one process is refused by the other at once', async () => {
    const on = async (via: 'a' | 'b', rotates: boolean) => {
      const app = await createRefreshApp(cluster, {
        rotating: rotates,
        discover: (clientId, clientSecret) => cluster.discover(clientId, clientSecret, via),
      });
      return app;
    };
    for (const rotates of [true, false]) {
      const viaA = await on('a', rotates);
      // The same client seen through process B.
      const viaB = { ...viaA, config: await cluster.discover(viaA.clientId, viaA.clientSecret, 'b') };
      const login = await loginForRefresh(cluster, viaA, ada, {}, cluster.browser('a'));
      const current = (await refresh(viaB, login.refreshToken)).refreshToken;
      await bindCode(cluster, action(`api.refreshToken.revoke('Revoked on A');`));
      await assertRefused(viaA, current, 'Revoked on A');
      await bindCode(cluster);
      await assertRefused(viaB, current, undefined, `B refuses at once (${viaA.name})`);
      await assertRefused(viaA, current, undefined, `and so does A (${viaA.name})`);
    }
  });
});
