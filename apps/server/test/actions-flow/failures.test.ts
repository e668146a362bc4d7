import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FAILED_DESCRIPTION } from '@tessera/triggers';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  startOidcServer,
} from '../oidc/helpers.ts';
import {
  actionsRan,
  bindActions,
  deployAction,
  lastExecution,
  loginToCallback,
  recordedFailure,
  recordedLogs,
  startHook,
} from './helpers.ts';

/** The run budget this server gets: short, so an action that never returns costs the suite 3 s. */
const TIMEOUT_MS = 3_000;
const API = 'https://api.example.com/';

/**
 * How post-login actions fail, through real logins: whatever an action does wrong (throws, never
 * returns, exhausts the sandbox, loses its worker), the app's callback gets `access_denied` with the
 * generic description and no code, the execution record keeps the real reason, nothing the failed run
 * asked for is committed, and the next login works. Then the parts of the run contract that the other
 * actions-flow suite does not prove end to end: a deny in the middle, the cache across logins, and
 * which claim names reach the tokens.
 */
describe('post-login actions that fail, deny, cache and set claims', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let clientId: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let userId: string;
  let hook: Awaited<ReturnType<typeof startHook>>;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  const deploy = (name: string, code: string) => deployAction(server.storage, server.tenantId, name, code);
  const bind = (ids: string[]) => bindActions(server.storage, server.tenantId, ids);
  const execution = () => lastExecution(server.storage, server.tenantId);
  const appMetadata = async () =>
    (await server.storage.users.findById(server.tenantId, userId))?.app_metadata;
  const idToken = async (token: string) => (await jwtVerify(token, jwks, { audience: clientId })).payload;
  const accessToken = async (token: string) => (await jwtVerify(token, jwks, { audience: API })).payload;

  before(async () => {
    hook = await startHook(async (request) => {
      if (request.url === '/kill-sandbox')
        for (const pid of await sandboxWorkers()) process.kill(pid, 'SIGKILL');
    });
    server = await startOidcServer({
      TESSERA_ACTIONS_TIMEOUT_MS: String(TIMEOUT_MS),
      TESSERA_ACTIONS_CPU_MS: '1000',
      TESSERA_ACTIONS_MEMORY_MB: '32',
      TESSERA_ACTIONS_WORKERS: '2',
      // Only the test's hook: the actions reach it to put a fault at an exact point of the login.
      TESSERA_ACTIONS_FETCH_ALLOW: '127.0.0.1',
    });
    const app = await createApp(server);
    clientId = app.clientId;
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: API,
      name: 'API',
      scopes: [{ value: 'read:things', description: 'Read' }],
    });
    userId = (
      await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password })
    ).user_id;
    config = await discover(server, app.clientId, app.clientSecret);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    // The sandbox workers start with the first login that runs actions: start them before the tests,
    // so the timings below are the actions', not a worker's start-up.
    await bind([await deploy('warm-up', 'exports.onExecutePostLogin = async () => {};')]);
    for (let attempt = 1; ; attempt++) {
      const login = await loginToCallback(config, new Browser(server.issuer), ada);
      if (login.params.code !== undefined) break;
      const failure = recordedFailure(await execution());
      assert.ok(attempt < 5, `the sandbox workers did not start: ${JSON.stringify(failure)}`);
    }
  });
  beforeEach(() => bind([]));
  after(async () => {
    await server?.stop();
    await hook?.close();
  });

  /**
   * Binds `code` (which sets app metadata, then fails) before an action that must never run, logs in,
   * and checks everything a failed run owes: the app's callback, the record, the log line, no commit;
   * then a login with a working action gets its tokens.
   */
  async function failsCleanlyThenRecovers(
    name: string,
    code: string,
    expected: { kind: string; message: RegExp; ran: string[] },
  ) {
    await bind([
      await deploy(name, code),
      await deploy(
        `after-${name}`,
        `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata('after_failing_ran', true); };`,
      ),
    ]);
    const login = await loginToCallback(config, new Browser(server.issuer), ada);
    assert.deepEqual(
      login.params,
      {
        error: 'access_denied',
        error_description: FAILED_DESCRIPTION,
        state: login.state,
        iss: server.issuer,
      },
      'the app learns that the login failed, not why; no code',
    );

    const record = await execution();
    assert.equal(record.status, 'error');
    assert.equal(recordedFailure(record)?.kind, expected.kind);
    assert.match(recordedFailure(record)?.message ?? '', expected.message);
    assert.deepEqual(actionsRan(record), expected.ran, 'the action after the failing one never ran');
    const line = server.logs.findLast((entry) => entry.msg === 'post-login trigger ran');
    assert.equal(line?.outcome, `failed:${expected.kind}`);
    assert.equal(line?.execution, record.id);

    const stored = await appMetadata();
    assert.equal(stored?.half_done, undefined, 'a failed run commits none of its metadata');
    assert.equal(stored?.after_failing_ran, undefined);

    await bind([
      await deploy(
        `working-after-${name}`,
        `exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://example.com/working', true);
          api.accessToken.setCustomClaim('https://example.com/working', true);
        };`,
      ),
    ]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada, {
      audience: API,
    });
    assert.equal((await idToken(tokens.id_token!))['https://example.com/working'], true);
    assert.equal((await accessToken(tokens.access_token))['https://example.com/working'], true);
    assert.equal((await execution()).status, 'success');
  }

  it('a thrown error fails the login cleanly; the error is in the record; the next login gets its tokens', async () => {
    await failsCleanlyThenRecovers(
      'throws',
      `exports.onExecutePostLogin = async (event, api) => {
        api.user.setAppMetadata('half_done', true);
        api.idToken.setCustomClaim('https://example.com/half_done', true);
        throw new Error('the CRM rejected user 42');
      };`,
      { kind: 'runtime', message: /the CRM rejected user 42/, ran: ['throws'] },
    );
  });

  it('an action that awaits forever is stopped at the run budget and fails the login cleanly', async () => {
    const started = Date.now();
    await failsCleanlyThenRecovers(
      'awaits-forever',
      `exports.onExecutePostLogin = async (event, api) => {
        api.user.setAppMetadata('half_done', true);
        await new Promise(() => {});
      };`,
      { kind: 'timeout', message: /time budget/, ran: ['awaits-forever'] },
    );
    assert.ok(Date.now() - started < TIMEOUT_MS + 5_000, 'the login did not wait past the budget');
  });

  it('an action that exhausts the sandbox memory loses its worker and fails the login cleanly', async () => {
    await failsCleanlyThenRecovers(
      'memory-bomb',
      `exports.onExecutePostLogin = async (event, api) => {
        api.user.setAppMetadata('half_done', true);
        const keep = new Map();
        for (let i = 0; ; i++) keep.set(i, { i, s: String(i).repeat(20) });
      };`,
      // The worker died with the isolate: no action report survives, only the run's failure.
      { kind: 'memory', message: /exhausted the sandbox memory/, ran: [] },
    );
  });

  it('a sandbox worker killed under a running action fails the login cleanly; the workers are replaced', async () => {
    const before = await sandboxWorkers();
    assert.equal(before.length, 2, `two sandbox workers run (${before})`);
    await failsCleanlyThenRecovers(
      'fetch-then-crash',
      // The hook SIGKILLs every sandbox worker while the action waits for it. The action already
      // called out, so the run is not retried on a fresh worker: it fails closed.
      `exports.onExecutePostLogin = async (event, api) => {
        api.user.setAppMetadata('half_done', true);
        await fetch('${hook.origin}/kill-sandbox');
        api.idToken.setCustomClaim('https://example.com/half_done', true);
      };`,
      { kind: 'crash', message: /the sandbox worker crashed and was replaced/, ran: [] },
    );
    assert.equal(hook.requests.filter((r) => r === 'GET /kill-sandbox').length, 1, 'the action ran once');
    const now = await sandboxWorkers();
    assert.equal(now.length, 2);
    assert.ok(
      now.every((pid) => !before.includes(pid)),
      `both workers were replaced: ${before} → ${now}`,
    );
  });

  it('a deny in the second of three actions: no code, so no claim of the first is issued; the third never runs', async () => {
    await bind([
      await deploy(
        'first',
        `exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('https://example.com/first', true);
          api.accessToken.setCustomClaim('https://example.com/first', true);
          api.user.setAppMetadata('first_ran', true);
        };`,
      ),
      await deploy(
        'gate',
        `exports.onExecutePostLogin = async (event, api) => { api.access.deny('Members only'); };`,
      ),
      await deploy(
        'third',
        `exports.onExecutePostLogin = async (event, api) => {
          console.log('third ran');
          api.user.setAppMetadata('third_ran', true);
        };`,
      ),
    ]);
    const login = await loginToCallback(config, new Browser(server.issuer), ada);
    assert.deepEqual(login.params, {
      error: 'access_denied',
      error_description: 'Members only',
      state: login.state,
      iss: server.issuer,
    });
    const record = await execution();
    assert.equal(record.status, 'denied');
    assert.deepEqual(actionsRan(record), ['first', 'gate']);
    assert.ok(!recordedLogs(record).some((line) => line.includes('third ran')));
    const stored = await appMetadata();
    assert.equal(stored?.third_ran, undefined, 'the third action never ran');
    assert.equal(stored?.first_ran, true, "Auth0: a deny does not cancel earlier actions' metadata");

    // The first action's claims were asked for in a login that issued nothing; they reach no later grant.
    await bind([]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada, { audience: API });
    assert.equal((await idToken(tokens.id_token!))['https://example.com/first'], undefined);
    assert.equal((await accessToken(tokens.access_token))['https://example.com/first'], undefined);
  });

  it('api.cache: a value cached by one login is what the next login reads', async () => {
    await bind([
      await deploy(
        'cache',
        `exports.onExecutePostLogin = async (event, api) => {
          const cached = api.cache.get('last-login');
          api.idToken.setCustomClaim('https://example.com/previous_login', cached ? cached.value : null);
          api.idToken.setCustomClaim('https://example.com/this_login', event.transaction.id);
          const stored = api.cache.set('last-login', event.transaction.id, { ttl: 60000 });
          api.idToken.setCustomClaim('https://example.com/cache_set', stored.type);
        };`,
      ),
    ]);
    const first = await idToken(
      (await loginWithCode(server, config, new Browser(server.issuer), ada)).id_token!,
    );
    const second = await idToken(
      (await loginWithCode(server, config, new Browser(server.issuer), ada)).id_token!,
    );
    assert.equal(first['https://example.com/previous_login'], null, 'nothing cached before the first login');
    assert.equal(first['https://example.com/cache_set'], 'success');
    assert.equal(typeof first['https://example.com/this_login'], 'string');
    assert.notEqual(second['https://example.com/this_login'], first['https://example.com/this_login']);
    assert.equal(
      second['https://example.com/previous_login'],
      first['https://example.com/this_login'],
      'the second login read what the first one cached',
    );
  });

  it('namespaced and plain custom claims reach both tokens; restricted names are dropped with a warning', async () => {
    const restricted = [
      'sub',
      'iss',
      'aud',
      'exp',
      'nonce',
      'permissions',
      'scope',
      'client_id',
      'gty',
      'org_id',
    ];
    await bind([
      await deploy(
        'claims',
        `exports.onExecutePostLogin = async (event, api) => {
          for (const token of [api.idToken, api.accessToken]) {
            token.setCustomClaim('https://example.com/x', { tier: 'gold' });
            token.setCustomClaim('favourite_color', 'teal');
            for (const name of ${JSON.stringify(restricted)}) token.setCustomClaim(name, 'attacker');
          }
        };`,
      ),
    ]);
    const browser = new Browser(server.issuer);
    const login = await loginToCallback(config, browser, ada, {
      scope: 'openid profile email read:things',
      audience: API,
    });
    const tokens = await login.redeem();
    const id = await idToken(tokens.id_token!);
    const access = await accessToken(tokens.access_token);

    for (const payload of [id, access]) {
      assert.deepEqual(payload['https://example.com/x'], { tier: 'gold' });
      assert.equal(payload.favourite_color, 'teal');
      for (const name of restricted) assert.notEqual(payload[name], 'attacker', `${name} is not overridden`);
    }
    assertRealValues(id, {
      sub: userId,
      iss: server.issuer,
      aud: clientId,
      nonce: login.nonce,
      permissions: undefined,
      scope: undefined,
      client_id: undefined,
      gty: undefined,
      org_id: undefined,
    });
    assertRealValues(access, {
      sub: userId,
      iss: server.issuer,
      // As at Auth0: the openid scope adds the userinfo endpoint to the access token's audience.
      aud: [API, `${server.issuer}userinfo`],
      scope: 'openid profile email read:things',
      client_id: clientId,
      nonce: undefined,
      gty: undefined,
      org_id: undefined,
    });
    for (const payload of [id, access]) {
      assert.equal(typeof payload.exp, 'number');
      assert.ok(payload.exp! > Date.now() / 1000, 'exp is the real expiry');
    }

    const logs = recordedLogs(await execution());
    for (const name of restricted) {
      assert.equal(
        logs.filter((line) => line === `warn: [tessera] claim "${name}" is restricted and was ignored`)
          .length,
        2,
        `one warning per token for ${name}: ${logs.join(' | ')}`,
      );
    }
  });
});

/** Each claim equals its expected value (undefined: the token has no such claim). */
function assertRealValues(payload: JWTPayload, expected: Record<string, unknown>) {
  for (const [name, value] of Object.entries(expected))
    assert.deepEqual(payload[name], value, `${name} keeps its real value`);
}

/**
 * The sandbox worker processes of the server running in this process: its children running the
 * actions worker entry (Linux /proc; the server does not expose its runtime to tests).
 */
async function sandboxWorkers(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      const command = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (command.includes('actions/src/worker/main.ts')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
