import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@tessera/core';
import { type Database, openDatabase, openStorage, type Storage } from '@tessera/storage';
import { createTestDatabase, startRedis, stopRedis, type TestDatabase, waitFor } from '@tessera/testing';
import type * as oidc from 'openid-client';
import { freePort, listening, type MainProcess, spawnMain, stopProcess } from '../helpers.ts';
import {
  authorizationRequest,
  Browser,
  createApp,
  createUsers,
  discover,
  loginWithCode,
  managementToken,
  type OidcTestServer,
  REDIRECT_URI,
  type RefreshExchange,
  refreshExchange,
  startOidcServer,
} from './helpers.ts';

/**
 * docs/oidc.md#rotation-and-the-reuse-interval: a rotated refresh token is spent only when its
 * successor is about to be answered, so a fault before the answer never costs the session; the
 * client's `refresh_token.leeway` is Auth0's reuse interval; outside it reuse revokes the family
 * (docs/security.md#16).
 */
const ada = { username: 'ada@example.com', password: 'ada has a good password' };

type Exchange = RefreshExchange;

/** A refresh exchange as a confidential app sends it, answered as raw status and body. */
const exchange = refreshExchange;

type App = { clientId: string; clientSecret: string; config: oidc.Configuration };

async function rotatingApp(server: OidcTestServer, leeway?: number): Promise<App> {
  const app = await createApp(server, {
    refreshToken: {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      ...(leeway === undefined ? {} : { leeway }),
    },
  });
  return { ...app, config: await discover(server, app.clientId, app.clientSecret) };
}

async function login(server: OidcTestServer, app: App, params: Record<string, string> = {}): Promise<string> {
  const tokens = await loginWithCode(server, app.config, new Browser(server.issuer), ada, params);
  assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  return tokens.refresh_token;
}

function refreshed(answer: Exchange, what: string): string {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body.access_token, 'string');
  assert.equal(typeof answer.body.refresh_token, 'string');
  return answer.body.refresh_token as string;
}

function refusedAsReuse(answer: Exchange, what: string) {
  assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error, 'invalid_grant', what);
}

describe('the reuse interval (refresh_token.leeway)', () => {
  let server: OidcTestServer;
  before(async () => {
    server = await startOidcServer();
    await createUsers(server, ada);
  });
  after(() => server.stop());

  it('defaults to 0 as on Auth0: of concurrent exchanges of one token exactly one is answered, and the reuse revokes the family', async () => {
    const app = await rotatingApp(server);
    const first = await login(server, app);
    const answers = await Promise.all(Array.from({ length: 4 }, () => exchange(server.issuer, app, first)));
    const won = answers.filter((answer) => answer.status === 200);
    assert.equal(won.length, 1, `one winner: ${answers.map((a) => a.status).join(',')}`);
    for (const lost of answers.filter((answer) => answer.status !== 200)) refusedAsReuse(lost, 'the others');
    refusedAsReuse(
      await exchange(server.issuer, app, won[0]!.body.refresh_token as string),
      'the reuse revoked the winner’s token too',
    );
  });

  it('within it, the token just rotated gets a fresh pair of the same family, and the family goes on', async () => {
    const app = await rotatingApp(server, 60);
    const first = await login(server, app);
    const second = refreshed(await exchange(server.issuer, app, first), 'the first exchange');
    // The client's answer was lost: it presents `first` again.
    const again = refreshed(await exchange(server.issuer, app, first), 'the same token again');
    assert.notEqual(again, second, 'a fresh refresh token, not the one already issued');
    const third = refreshed(await exchange(server.issuer, app, again), 'the replacement works');
    refreshed(await exchange(server.issuer, app, third), 'and its successor');
    // Concurrent exchanges of one token inside the interval (two tabs, a retry racing its original).
    const next = refreshed(await exchange(server.issuer, app, second), 'the sibling issued first also works');
    const burst = await Promise.all(Array.from({ length: 4 }, () => exchange(server.issuer, app, next)));
    for (const answer of burst) refreshed(answer, 'each of a burst within the interval');
  });

  it('is counted per chain: a sibling a reuse created, or a second login of the app in the same session, keeps its own interval', async () => {
    const app = await rotatingApp(server, 60);
    const browser = new Browser(server.issuer);
    const tokens = await loginWithCode(server, app.config, browser, ada);
    const first = tokens.refresh_token!;
    const a1 = refreshed(await exchange(server.issuer, app, first), 'first → a1');
    const b1 = refreshed(await exchange(server.issuer, app, first), 'first again → b1 (a sibling)');
    // The a-chain moves on two generations.
    const a2 = refreshed(await exchange(server.issuer, app, a1), 'a1 → a2');
    refreshed(await exchange(server.issuer, app, a2), 'a2 → a3');
    // The b-chain's answer is lost once: its previous generation is b1, whatever the a-chain did.
    refreshed(await exchange(server.issuer, app, b1), 'b1 → b2');
    refreshed(await exchange(server.issuer, app, b1), 'b1 again, within the interval');
    // A second login of the app in the same browser session shares the grant and starts a new chain.
    const sso = await authorizationRequest(app.config, { scope: 'openid profile email offline_access' });
    const back = await browser.follow(sso.url.href);
    assert.ok(back.url.startsWith(REDIRECT_URI), `SSO, no login page: ${back.url}`);
    const again = await sso.redeem(back.url);
    assert.ok(again.refresh_token);
    refreshed(await exchange(server.issuer, app, again.refresh_token), 'the new chain’s first exchange');
    refreshed(await exchange(server.issuer, app, again.refresh_token), 'and its retry');
  });

  it('covers only the previous generation: once a successor was exchanged, the older token is reuse and revokes the family', async () => {
    const app = await rotatingApp(server, 60);
    const first = await login(server, app);
    const second = refreshed(await exchange(server.issuer, app, first), 'first → second');
    const third = refreshed(await exchange(server.issuer, app, second), 'second → third');
    refusedAsReuse(await exchange(server.issuer, app, first), 'two generations back');
    refusedAsReuse(await exchange(server.issuer, app, third), 'the family is revoked');
    refusedAsReuse(await exchange(server.issuer, app, second), 'all of it');
  });

  it('after it, reuse revokes the family', async () => {
    const app = await rotatingApp(server, 1);
    const first = await login(server, app);
    const second = refreshed(await exchange(server.issuer, app, first), 'first → second');
    await sleep(2_200);
    refusedAsReuse(await exchange(server.issuer, app, first), 'outside the interval');
    refusedAsReuse(await exchange(server.issuer, app, second), 'the family is revoked');
  });

  it('is set through the Management API up to Auth0’s limit of 30 days', async () => {
    const app = await rotatingApp(server);
    const token = await managementToken(server);
    const patch = (leeway: unknown) =>
      fetch(`${server.issuer}api/v2/clients/${app.clientId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: { rotation_type: 'rotating', leeway } }),
      });
    const accepted = await patch(2_592_000);
    assert.equal(accepted.status, 200);
    assert.equal(
      ((await accepted.json()) as { refresh_token: { leeway: number } }).refresh_token.leeway,
      2_592_000,
    );
    for (const bad of [2_592_001, -1, 1.5, '30']) {
      const refused = await patch(bad);
      assert.equal(refused.status, 400, `leeway ${JSON.stringify(bad)}`);
      assert.match(((await refused.json()) as { message: string }).message, /leeway/);
    }
  });
});

describe('a Redis outage during an exchange leaves the presented token valid', () => {
  let server: OidcTestServer;
  let redis: ChildProcess;
  let redisPort: number;
  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    server = await startOidcServer({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TESSERA_REDIS_PREFIX: 'rotation:',
    });
    await createUsers(server, ada);
  });
  after(async () => {
    if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(redisPort);
    await server?.stop();
    await stopRedis(redis);
  });

  it('answers 503 while the access token cannot be stored; the retry with the same token succeeds', async () => {
    const app = await rotatingApp(server);
    const first = await login(server, app);
    const second = refreshed(await exchange(server.issuer, app, first), 'before the outage');
    await stopRedis(redis);
    // Without an audience the access token is opaque and lives in the KV store.
    const failed = await exchange(server.issuer, app, second);
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.equal(failed.body.error, 'temporarily_unavailable');
    assert.ok(failed.retryAfter, 'Retry-After');
    redis = await startRedis(redisPort);
    await waitFor(async () => (await fetch(`${server.url}/ready`)).status === 200, '/ready after Redis');
    const third = refreshed(await exchange(server.issuer, app, second), 'the retry with the same token');
    refreshed(await exchange(server.issuer, app, third), 'and the family goes on');
  });

  it('keeps answering refresh exchanges for an API while Redis is down (JWT access tokens are not stored)', async () => {
    const audience = 'https://reports.example.com/';
    await server.storage.resourceServers.create(server.tenantId, { identifier: audience, name: 'Reports' });
    const app = await rotatingApp(server);
    const first = await login(server, app, { audience });
    await stopRedis(redis);
    try {
      const second = refreshed(await exchange(server.issuer, app, first), 'during the outage');
      refreshed(await exchange(server.issuer, app, second), 'and again');
    } finally {
      redis = await startRedis(redisPort);
    }
  });
});

const POSTGRES = process.env.DATABASE_URL;
const skipWithoutPostgres = POSTGRES
  ? false
  : 'needs DATABASE_URL (a Postgres server the test can gate and processes can share)';
if (skipWithoutPostgres)
  process.stderr.write(
    `\n*** refresh-rotation.test.ts: Postgres cases SKIPPED: ${skipWithoutPostgres} ***\n\n`,
  );

/**
 * Holds back the database's writes to `oidc_records` of one kind (INSERT: a successor being stored;
 * UPDATE: a token being marked used) while the test holds an advisory lock: a trigger in the test's
 * own database waits for it. The statement is then in flight at a known step of the exchange.
 */
async function gate(db: Database, on: 'INSERT' | 'UPDATE') {
  await db.sql.exec(`
    CREATE OR REPLACE FUNCTION test_gate() RETURNS trigger AS $$
    BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS test_gate ON oidc_records;
    CREATE TRIGGER test_gate BEFORE ${on} ON oidc_records FOR EACH ROW EXECUTE FUNCTION test_gate();`);
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held!: () => void;
  const holding = new Promise<void>((resolve) => {
    held = resolve;
  });
  const session = db.sql.session(async (conn) => {
    await conn.query('SELECT pg_advisory_lock(4242)');
    held();
    await released;
    await conn.query('SELECT pg_advisory_unlock(4242)');
  });
  await holding;
  return {
    /** Resolves once a statement of the server waits at the gate. */
    async waiting() {
      await waitFor(async () => {
        const [row] = await db.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = 4242 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return (row?.n ?? 0) > 0;
      }, 'a statement at the gate');
    },
    /** Ends the waiting statement as a lost connection would, before it ran. */
    async dropWaiting() {
      await db.sql.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = 4242 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    },
    async open() {
      release();
      await session;
      await db.sql.exec('DROP TRIGGER IF EXISTS test_gate ON oidc_records');
    },
  };
}

describe('a database fault or a killed process during an exchange', { skip: skipWithoutPostgres }, () => {
  let database: TestDatabase;
  let direct: Database;
  let storage: Storage;
  let tenantId: string;
  let issuer: string;
  let port: number;
  let proc: MainProcess | undefined;
  const dataDirs: string[] = [];
  const masterKey = randomBytes(32);

  const start = async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-rotation-'));
    dataDirs.push(dataDir);
    const child = spawnMain({
      HOST: '127.0.0.1',
      PORT: String(port),
      TESSERA_DOMAIN: `localhost:${port}`,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      DATABASE_URL: database.url!,
      TESSERA_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    try {
      await listening(child);
    } catch (error) {
      await stopProcess(child, 'SIGKILL');
      throw error;
    }
    return child;
  };

  before(async () => {
    database = await createTestDatabase();
    direct = await openDatabase({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 3,
      log: silentLogger,
    });
    storage = await openStorage({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 2,
      masterKey,
      log: silentLogger,
    });
    port = await freePort();
    issuer = `http://localhost:${port}/`;
    proc = await start();
    const tenant = await storage.tenants.getDefault();
    assert.ok(tenant);
    tenantId = tenant.id;
    await storage.users.create(tenantId, { email: ada.username, password: ada.password });
  });
  after(async () => {
    if (proc) await stopProcess(proc);
    await storage?.close();
    await direct?.close();
    await database?.drop();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  });

  const server = () => ({ storage, tenantId, issuer }) as unknown as OidcTestServer;

  it('a database failure while the successor is stored answers 503, and the same token works afterwards', async () => {
    const app = await rotatingApp(server());
    const first = await login(server(), app);
    const gated = await gate(direct, 'INSERT');
    const pending = exchange(issuer, app, first);
    await gated.waiting();
    await gated.dropWaiting();
    const failed = await pending;
    await gated.open();
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.equal(failed.body.error, 'temporarily_unavailable');
    refreshed(await exchange(issuer, app, first), 'the retry with the same token');
  });

  it('a client that stopped waiting before the answer keeps its token (nothing it did not receive is recorded)', async () => {
    const app = await rotatingApp(server());
    const first = await login(server(), app);
    const refreshTokens = async () => {
      const [row] = await direct.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM oidc_records WHERE model = 'RefreshToken' AND payload->>'clientId' = $1`,
        [app.clientId],
      );
      return row?.n ?? 0;
    };
    const before = await refreshTokens();
    const gated = await gate(direct, 'INSERT');
    const gaveUp = new AbortController();
    const pending = fetch(`${issuer}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }),
      signal: gaveUp.signal,
    }).catch((error: Error) => error);
    await gated.waiting();
    gaveUp.abort();
    assert.ok((await pending) instanceof Error, 'the client gave up');
    await gated.open();
    // The exchange goes on without its client: its successor is stored, then dropped unsent.
    await waitFor(async () => (await refreshTokens()) === before, 'the unsent successor dropped');
    refreshed(await exchange(issuer, app, first), 'the same token, without any reuse interval');
  });

  it('a process killed before its answer was complete leaves the token valid on the next process', async () => {
    const app = await rotatingApp(server());
    const first = await login(server(), app);
    const gated = await gate(direct, 'INSERT');
    const pending = exchange(issuer, app, first).catch((error: Error) => error);
    await gated.waiting();
    await stopProcess(proc!, 'SIGKILL');
    assert.ok((await pending) instanceof Error, 'the client saw the connection end, no answer');
    await gated.open();
    proc = await start();
    refreshed(await exchange(issuer, app, first), 'the same token on the restarted process');
  });

  it('a process killed after marking the token used: the retry succeeds within the reuse interval, and without one the family ends', async () => {
    for (const leeway of [30, 0]) {
      const app = await rotatingApp(server(), leeway);
      const first = await login(server(), app);
      const gated = await gate(direct, 'UPDATE');
      const pending = exchange(issuer, app, first).catch((error: Error) => error);
      await gated.waiting();
      await stopProcess(proc!, 'SIGKILL');
      assert.ok((await pending) instanceof Error, 'the client saw the connection end, no answer');
      // The statement had reached the database: it completes once the gate opens.
      await gated.open();
      proc = await start();
      const retry = await exchange(issuer, app, first);
      if (leeway > 0) refreshed(retry, `the retry within a reuse interval of ${leeway} s`);
      else refusedAsReuse(retry, 'without a reuse interval the retry is reuse');
    }
  });
});
