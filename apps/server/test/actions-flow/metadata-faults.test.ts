import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { openStorage, type Storage } from '@tessera/storage';
import {
  createTestDatabase,
  deleteRedisPrefix,
  startRedis,
  startRelay,
  stopRedis,
  type TestDatabase,
  waitFor,
} from '@tessera/testing';
import type * as oidc from 'openid-client';
import { freePort, listening, type MainProcess, spawnMain, stopProcess } from '../helpers.ts';
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
import { bindActions, deployAction, lastExecution, startHook } from './helpers.ts';

/**
 * docs/security.md "Storage faults" (#34–#36) for the post-login trigger's metadata commit (docs/actions.md#the-post-login-trigger-in-the-login-flow: metadata changes are written once, in one transaction,
 * when the run ends).
 * Each fault is put at an exact point of a real login: the bound action awaits a `fetch` to the test's
 * hook, which breaks the store before answering, so the fault lands after the password check and the
 * action, before what the trigger and the flow do next. 34 needs `redis-server` (its own, stopped and
 * restarted); 35 and 36 need a real Postgres (DATABASE_URL) and are skipped on the embedded pass.
 */
const needsPostgres = process.env.DATABASE_URL
  ? false
  : 'needs DATABASE_URL (a real Postgres server to cut the network to, and to share between processes)';
const needsRedisServer =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'needs redis-server on the PATH';
for (const [what, reason] of [
  ['34', needsRedisServer],
  ['35 and 36', needsPostgres],
] as const) {
  if (reason)
    process.stderr.write(
      `\n*** metadata-faults.test.ts: docs/security.md ${what} SKIPPED: ${reason} ***\n\n`,
    );
}

const ada = { username: 'ada@example.com', password: 'ada has a long password' };
const EXISTING = { existing: 'kept' };

/**
 * What every action here does before its fault: set metadata (as a set: the same values whatever the
 * user had) and a claim that says the committed value was seen.
 */
const commitsPlan = (faultUrl: string) => `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/plan_before', event.user.app_metadata.plan ?? null);
  api.user.setAppMetadata('plan', 'gold');
  api.user.setAppMetadata('credits', 100);
  api.user.setUserMetadata('theme', 'dark');
  ${faultUrl ? `await fetch('${faultUrl}');` : ''}
};`;
const COMMITTED = {
  app: { ...EXISTING, plan: 'gold', credits: 100 },
  user: { theme: 'dark' },
};

/** Starts a login at the app and posts the credentials; where the browser ends (the app, or a page). */
/** The app, the user with metadata already set, and the action that faults through `faultUrl`. */
async function prepare(server: OidcTestServer, faultUrl: string) {
  const app = await createApp(server);
  const config = await discover(server, app.clientId, app.clientSecret);
  const userId = (
    await server.storage.users.create(server.tenantId, {
      email: ada.username,
      password: ada.password,
      appMetadata: EXISTING,
    })
  ).user_id;
  await bindActions(server.storage, server.tenantId, [
    await deployAction(server.storage, server.tenantId, 'plan', commitsPlan(faultUrl)),
  ]);
  return { config, userId };
}

async function postCredentials(config: oidc.Configuration, browser: Browser) {
  const start = await browser.follow((await authorizationRequest(config)).url.href);
  assert.equal(start.response.status, 200, `the login page (${start.url})`);
  return browser.login(start.url, ada.username, ada.password);
}

/** An authorization request with prompt=none in `browser`: where it ends (the app, with a code or an error). */
async function silentLogin(config: oidc.Configuration, browser: Browser) {
  const request = await authorizationRequest(config, { prompt: 'none' });
  const end = await browser.follow(request.url.href);
  return Object.fromEntries(new URL(end.url).searchParams);
}

describe('docs/security.md#34: Redis stopped in the middle of a login with actions bound', {
  skip: needsRedisServer,
}, () => {
  let redisPort: number;
  let redis: ChildProcess;
  let hook: Awaited<ReturnType<typeof startHook>>;
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let userId: string;
  let armed = true;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    hook = await startHook(async (request) => {
      if (request.url !== '/stop-redis' || !armed) return;
      armed = false;
      await stopRedis(redis);
    });
    server = await startOidcServer({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TESSERA_REDIS_PREFIX: 'metadata-faults:',
      TESSERA_ACTIONS_WORKERS: '1',
      TESSERA_ACTIONS_FETCH_ALLOW: '127.0.0.1',
    });
    ({ config, userId } = await prepare(server, `${hook.origin}/stop-redis`));
  });
  after(async () => {
    // The server's cleanup deletes its keys in Redis: bring it back if a failure left it down.
    if (redis !== undefined && (redis.exitCode !== null || redis.signalCode !== null))
      redis = await startRedis(redisPort);
    await server?.stop();
    if (redis !== undefined) await stopRedis(redis);
    await hook?.close();
  });

  it('answers 503 and issues no code; once Redis returns, a fresh login succeeds with the metadata set once', async () => {
    const browser = new Browser(server.issuer);
    const failed = await postCredentials(config, browser);
    assert.equal(hook.requests.length, 1, 'the action ran and Redis was stopped under it');
    assert.equal(failed.response.status, 503, `a 503 page, got ${failed.url}`);
    assert.equal(failed.response.headers.get('retry-after'), '5', 'worth retrying shortly');
    assert.ok(!failed.url.startsWith(REDIRECT_URI), 'the browser never reached the app');
    // The error page's public text; which store failed is for the log only.
    const page = await failed.response.text();
    assert.match(page, /<code>temporarily_unavailable<\/code>/);
    assert.match(page, /Try again in a moment\./);
    assert.doesNotMatch(page, /\bkv\b|redis/i);

    redis = await startRedis(redisPort);
    await waitFor(
      async () => (await fetch(`${server.url}/ready`)).status === 200,
      '/ready after Redis returns',
    );

    assert.equal(
      (await silentLogin(config, browser)).error,
      'login_required',
      'the interrupted login left no session behind',
    );
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
    assert.equal(hook.requests.length, 2);
    const user = await server.storage.users.findById(server.tenantId, userId);
    assert.deepEqual(
      user?.app_metadata,
      COMMITTED.app,
      'the same values, however many times they were written',
    );
    assert.deepEqual(user?.user_metadata, COMMITTED.user);
    // The first attempt had committed before Redis failed the flow (its database was up).
    assert.equal(tokens.claims()?.['https://example.com/plan_before'], 'gold');
    assert.equal((await lastExecution(server.storage, server.tenantId)).status, 'success');
  });
});

describe('docs/security.md#35: Postgres unreachable when the metadata is committed', {
  skip: needsPostgres,
}, () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let hook: Awaited<ReturnType<typeof startHook>>;
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let userId: string;
  let armed = true;

  before(async () => {
    database = await createTestDatabase();
    relay = await startRelay(new URL(database.url!));
    hook = await startHook(async (request) => {
      if (request.url !== '/cut-postgres' || !armed) return;
      armed = false;
      await relay.cut();
    });
    server = await startOidcServer({
      DATABASE_URL: relay.url,
      TESSERA_DB_POOL_SIZE: '4',
      TESSERA_ACTIONS_WORKERS: '1',
      TESSERA_ACTIONS_FETCH_ALLOW: '127.0.0.1',
    });
    ({ config, userId } = await prepare(server, `${hook.origin}/cut-postgres`));
  });
  after(async () => {
    // The server closes its pool through the relay (restored if a failure left it cut), then the relay goes.
    await relay?.restore().catch(() => {});
    await server?.stop();
    await relay?.cut();
    await hook?.close();
    await database?.drop();
  });

  it('fails the login with no code and no session; the user is unchanged; after Postgres returns a login commits once', async () => {
    const browser = new Browser(server.issuer);
    const failed = await postCredentials(config, browser);
    assert.equal(hook.requests.length, 1, 'the action ran and the database was cut under it');
    assert.ok(!failed.url.startsWith(REDIRECT_URI), `the browser never reached the app, got ${failed.url}`);
    // The error page of a store that is down (503, worth retrying), never the database's own message.
    assert.equal(failed.response.status, 503, `a 503 page, got ${failed.response.status}`);
    assert.equal(failed.response.headers.get('retry-after'), '5', 'worth retrying shortly');
    const page = await failed.response.text();
    assert.match(page, /<code>temporarily_unavailable<\/code>/);
    assert.doesNotMatch(page, /reach database|database|prisma|127\.0\.0\.1/i);

    await relay.restore();
    await waitFor(
      async () => (await fetch(`${server.url}/ready`)).status === 200,
      '/ready after Postgres returns',
    );
    const user = await server.storage.users.findById(server.tenantId, userId);
    assert.deepEqual(user?.app_metadata, EXISTING, 'nothing of the failed login was committed');
    assert.deepEqual(user?.user_metadata, {});
    assert.equal(
      (await silentLogin(config, browser)).error,
      'login_required',
      'the failed login left no session that could issue tokens later',
    );

    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
    assert.equal(
      tokens.claims()?.['https://example.com/plan_before'],
      null,
      'the retry saw nothing committed',
    );
    const after = await server.storage.users.findById(server.tenantId, userId);
    assert.deepEqual(after?.app_metadata, COMMITTED.app);
    assert.deepEqual(after?.user_metadata, COMMITTED.user);
  });
});

describe('docs/security.md#36: the process killed between the metadata commit and the code', {
  skip: needsPostgres,
}, () => {
  let database: TestDatabase;
  let storage: Storage;
  let env: Record<string, string>;
  let issuer: string;
  let tenantId: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  /** A server process on the shared database (and Redis, when REDIS_URL is set), always on one port. */
  async function startProcess(): Promise<MainProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-mf-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const proc = spawnMain({ ...env, TESSERA_DATA_DIR: dataDir });
    cleanups.push(() => stopProcess(proc));
    await listening(proc);
    return proc;
  }

  before(async () => {
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const masterKey = randomBytes(32);
    const storageDir = await mkdtemp(join(tmpdir(), 'tessera-mf-'));
    cleanups.push(() => rm(storageDir, { recursive: true, force: true }));
    // The test's own connection, straight to the database (what an operator would inspect).
    storage = await openStorage({
      url: database.url,
      dataDir: storageDir,
      poolSize: 3,
      bootRetryMs: 0,
      masterKey,
      log: silentLogger,
    });
    cleanups.push(() => storage.close());
    const port = await freePort();
    issuer = `http://localhost:${port}/`;
    const prefix = `tessera:test:mf:${randomBytes(6).toString('hex')}:`;
    env = {
      HOST: '127.0.0.1',
      PORT: String(port),
      TESSERA_DOMAIN: `localhost:${port}`,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      DATABASE_URL: database.url!,
      TESSERA_DB_POOL_SIZE: '4',
      TESSERA_ACTIONS_WORKERS: '1',
      TESSERA_SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'info',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, TESSERA_REDIS_PREFIX: prefix } : {}),
    };
    if (process.env.REDIS_URL) cleanups.push(() => deleteRedisPrefix(process.env.REDIS_URL!, prefix));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('a retry on a new process reaches the same final state; nothing is applied twice', async () => {
    const first = await startProcess();
    const tenant = await storage.tenants.getDefault();
    assert.ok(tenant, 'the first run created the default tenant');
    tenantId = tenant.id;
    const server = { storage, tenantId, issuer } as unknown as OidcTestServer;
    const app = await createApp(server);
    const { user_id: userId } = await storage.users.create(tenantId, {
      email: ada.username,
      password: ada.password,
      appMetadata: EXISTING,
    });
    await bindActions(storage, tenantId, [await deployAction(storage, tenantId, 'plan', commitsPlan(''))]);
    const config = await discover(server, app.clientId, app.clientSecret);
    const stored = async () => {
      const user = await storage.users.findById(tenantId, userId);
      return { app: user?.app_metadata, user: user?.user_metadata };
    };

    // Hold the execution records (reads pass, inserts wait): the trigger commits the metadata, then
    // waits to write its record, before it finishes the interaction. Kill the process right there.
    const browser = new Browser(issuer);
    let posted: Promise<unknown> | undefined;
    await storage.db.sql.transaction(async (tx) => {
      await tx.query('LOCK TABLE executions IN EXCLUSIVE MODE');
      posted = postCredentials(config, browser);
      posted.catch(() => {});
      await waitFor(async () => (await stored()).app?.plan === 'gold', 'the metadata commit', 20_000);
      await waitFor(
        async () => (await waitingOn(storage, 'executions')) === 1,
        'the execution record to wait on the lock',
      );
      await stopProcess(first, 'SIGKILL');
    });
    await assert.rejects(posted!, 'the form post never got an answer: no interaction result, no code');
    assert.deepEqual(await stored(), COMMITTED, 'the commit itself was whole');

    // The user tries again from the app, in the same browser, on the process that replaced it.
    const second = await startProcess();
    const tokens = await loginWithCode(server, config, browser, ada);
    assert.equal(
      tokens.claims()?.['https://example.com/plan_before'],
      'gold',
      'the retry saw the first commit',
    );
    assert.deepEqual(await stored(), COMMITTED, 'the retry wrote the same values: set, not added to');
    assert.equal((await lastExecution(storage, tenantId)).status, 'success');
    await stopProcess(second);
  });
});

/** How many lock requests on `table` wait (in this database). */
async function waitingOn(storage: Storage, table: string): Promise<number> {
  const [row] = await storage.db.sql.query<{ waiting: number }>(
    `SELECT count(*)::int AS waiting FROM pg_locks WHERE relation = $1::regclass AND NOT granted
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [table],
  );
  return row?.waiting ?? 0;
}
