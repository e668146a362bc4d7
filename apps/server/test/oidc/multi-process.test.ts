import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { openDatabase, openStorage, type Storage } from '@tessera/storage';
import { createTestDatabase, deleteRedisPrefix, type TestDatabase } from '@tessera/testing';
import * as oidc from 'openid-client';
import { freePort, listening, type MainProcess, spawnMain, stopProcess } from '../helpers.ts';
import { Browser, createApp, createUsers, REDIRECT_URI } from './helpers.ts';

/**
 * docs/security.md#38: two Tessera processes over one Postgres database and one Redis prefix, behind a load
 * balancer that keeps the Host header (so both serve the same issuer). A flow may hop between them at
 * any request; a code is redeemed once across both. This needs real servers: DATABASE_URL / REDIS_URL,
 * or the local ones; when they do not answer the suite is skipped, loudly.
 */
const POSTGRES = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const unreachable = await firstUnreachable([
  ['Postgres', POSTGRES],
  ['Redis', REDIS],
]);
if (unreachable) {
  process.stderr.write(`\n*** multi-process.test.ts SKIPPED: ${unreachable} ***\n\n`);
}

type Upstream = 'a' | 'b';

describe('two processes sharing one Postgres and one Redis (docs/security.md#38)', {
  skip: unreachable,
}, () => {
  let cluster: Cluster;
  let config: Record<Upstream, oidc.Configuration>;
  const judy = { username: 'judy@example.com', password: 'judy has a good password' };

  before(async () => {
    cluster = await startCluster({ staggered: true });
    const app = await createApp(cluster);
    await createUsers(cluster, judy);
    config = {
      a: await cluster.discover(app.clientId, app.clientSecret, 'a'),
      b: await cluster.discover(app.clientId, app.clientSecret, 'b'),
    };
  });
  after(() => cluster?.stop());

  /** Authorize (with PKCE) on one process; returns the login page's URL and the verifier. */
  async function startLogin(browser: RoutedBrowser, params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config.a, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
      nonce: 'nonce-1',
      ...params,
    });
    const start = await browser.follow(url.href);
    return { start, verifier };
  }

  /** A full login on one process; returns the app's callback URL (code not yet redeemed). */
  async function callbackFrom(via: Upstream) {
    const browser = cluster.browser(via);
    const { start, verifier } = await startLogin(browser);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const done = await browser.login(start.url, judy.username, judy.password);
    assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url}`);
    return { callback: new URL(done.url), verifier };
  }

  const redeem = (via: Upstream, callback: URL, verifier: string) =>
    oidc.authorizationCodeGrant(config[via], callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
      expectedNonce: 'nonce-1',
    });

  it('serves one issuer from both processes, with the same keys', async () => {
    const [metaA, metaB] = [config.a.serverMetadata(), config.b.serverMetadata()];
    assert.equal(metaA.issuer, cluster.issuer);
    assert.deepEqual(metaB, metaA);
    const jwks = await Promise.all(
      (['a', 'b'] as const).map(async (via) =>
        (await cluster.fetch(via, `${cluster.issuer}.well-known/jwks.json`)).json(),
      ),
    );
    assert.deepEqual(jwks[1], jwks[0]);
  });

  it('finishes on B a login started on A (authorize and login page on A; credentials and resume on B)', async () => {
    const browser = cluster.browser('a');
    const { start, verifier } = await startLogin(browser);
    assert.match(start.url, /\/u\/login\?state=/);
    const page = await browser.fetch(start.url);
    assert.equal(page.status, 200);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

    browser.via = 'b';
    const mark = cluster.requests.length;
    const posted = await browser.fetch(start.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: judy.username, password: judy.password }),
    });
    assert.equal(posted.status, 303, 'B accepts the form A rendered (its CSRF token and interaction)');
    const resumed = await browser.follow(new URL(posted.headers.get('location')!, cluster.issuer).href);
    assert.ok(resumed.url.startsWith(REDIRECT_URI), `back at the app, got ${resumed.url}`);
    assert.ok(
      cluster.requests.slice(mark).every((line) => line.startsWith('b ')),
      `the second half ran on B only: ${cluster.requests.slice(mark).join(', ')}`,
    );

    const tokens = await redeem('a', new URL(resumed.url), verifier);
    const claims = tokens.claims()!;
    assert.equal(claims.iss, cluster.issuer);
    assert.equal(claims.email, judy.username);

    // The session B created is A's session too: SSO on A without a login page.
    browser.via = 'a';
    const sso = await startLogin(browser, { prompt: 'none' });
    const callback = new URL(sso.start.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    assert.ok(callback.searchParams.get('code'), `SSO on A, got ${sso.start.url}`);
    assert.equal(callback.searchParams.get('error'), null);
  });

  it('redeems a code exactly once across both processes, even when A and B race for it', async () => {
    for (const issuedBy of ['a', 'b', 'a'] as const) {
      const { callback, verifier } = await callbackFrom(issuedBy);
      const results = await Promise.allSettled([
        redeem('a', callback, verifier),
        redeem('b', callback, verifier),
      ]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result) => result.status === 'rejected');
      assert.equal(won.length, 1, `exactly one redemption succeeds (code issued by ${issuedBy})`);
      assert.equal((lost[0]!.reason as oidc.ResponseBodyError).error, 'invalid_grant');
      for (const via of ['a', 'b'] as const) {
        await assert.rejects(
          redeem(via, callback, verifier),
          { error: 'invalid_grant' },
          `replayed at ${via}`,
        );
      }
    }
  });

  it('refreshes at B with a refresh token issued by A, and refuses its rotated predecessor at A', async () => {
    const { callback, verifier } = await callbackFrom('a');
    const first = await redeem('a', callback, verifier);
    assert.ok(first.refresh_token);
    const second = await oidc.refreshTokenGrant(config.b, first.refresh_token);
    assert.ok(second.access_token && second.id_token);
    assert.equal(second.claims()!.sub, first.claims()!.sub);
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'rotated on B');

    const third = await oidc.refreshTokenGrant(config.a, second.refresh_token);
    assert.ok(third.refresh_token);
    await assert.rejects(oidc.refreshTokenGrant(config.a, first.refresh_token), { error: 'invalid_grant' });
    await assert.rejects(
      oidc.refreshTokenGrant(config.b, third.refresh_token),
      { error: 'invalid_grant' },
      'reuse detected on A revoked the grant for B too',
    );
  });
});

describe('processes started at the same moment on a new database', { skip: unreachable }, () => {
  it('all boot, and the first-run setup happened once: one signing key, one management client', async () => {
    // `docker compose up --scale tessera=3` on a new database: all three run the first-run setup in
    // the same moment (the test releases them together, see startCluster).
    const cluster = await startCluster({ staggered: false, processes: 3 });
    try {
      const { storage, tenantId } = cluster;
      const keys = await storage.signingKeys.list(tenantId);
      assert.deepEqual(keys.map((key) => [key.use, key.state]).sort(), [
        ['cookie', 'current'],
        ['sig', 'current'],
      ]);
      assert.equal((await storage.clients.listByTenant(tenantId)).length, 1);
    } finally {
      await cluster.stop();
    }
  });
});

describe('two processes that have served nothing yet, receiving their first requests together', {
  skip: unreachable,
}, () => {
  let cluster: Cluster;
  let clientId: string;
  const kim = { username: 'kim@example.com', password: 'kim has a good password' };
  before(async () => {
    cluster = await startCluster({ staggered: true });
    ({ clientId } = await createApp(cluster, { grantTypes: ['authorization_code'] }));
    await createUsers(cluster, kim);
  });
  after(() => cluster?.stop());

  it('agree on one cookie key, so a login started on either finishes on the other', async () => {
    const authorize = async () =>
      `${cluster.issuer}authorize?${new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        state: 'st',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })}`;

    // A tenant without a cookie key (created by a tool, or before cookie keys existed): the processes
    // create it on first use, and must agree on one.
    await cluster.storage.db.sql.query(`DELETE FROM signing_keys WHERE tenant_id = $1 AND "use" = 'cookie'`, [
      cluster.tenantId,
    ]);
    // Right after a deploy both processes get traffic at once; neither has built its provider yet, and
    // the database is slow to take writes (held here until two are queued), as under load.
    const browsers = Array.from({ length: 8 }, (_, i) => cluster.browser(i % 2 === 0 ? 'a' : 'b'));
    const urls = await Promise.all(browsers.map(() => authorize()));
    const starts = await whileInsertsWait(cluster.storage, 'signing_keys', () =>
      Promise.all(browsers.map((browser, i) => browser.follow(urls[i]!))),
    );
    for (const start of starts) assert.equal(start.response.status, 200);
    const [onA, onB, startA, startB] = [browsers[0]!, browsers[1]!, starts[0]!, starts[1]!];

    const cookieKeys = (await cluster.storage.signingKeys.list(cluster.tenantId)).filter(
      (key) => key.use === 'cookie' && key.state === 'current',
    );
    assert.equal(cookieKeys.length, 1, `one current cookie key for the tenant, found ${cookieKeys.length}`);

    // Each login hops to the other process for its second half, then SSO hops back.
    for (const [browser, start, other] of [
      [onA, startA, 'b'],
      [onB, startB, 'a'],
    ] as const) {
      const html = await (await browser.fetch(start.url)).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      browser.via = other;
      const posted = await browser.fetch(start.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username: kim.username, password: kim.password }),
      });
      assert.equal(
        posted.status,
        303,
        `the login started on ${other === 'a' ? 'B' : 'A'} is accepted on ${other}`,
      );
      const done = await browser.follow(new URL(posted.headers.get('location')!, cluster.issuer).href);
      assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url}`);

      browser.via = other === 'a' ? 'b' : 'a';
      const sso = await browser.follow(`${await authorize()}&prompt=none`);
      assert.ok(new URL(sso.url).searchParams.get('code'), `the session is valid on both, got ${sso.url}`);
    }
  });
});

/** The header that tells the test's load balancer which process should answer. */
const ROUTE_HEADER = 'x-test-upstream';

/** A Browser behind the test's load balancer, pinned to one upstream until `via` changes. */
class RoutedBrowser extends Browser {
  via: Upstream;
  constructor(origin: string, via: Upstream) {
    super(origin);
    this.via = via;
  }
  override fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(ROUTE_HEADER, this.via);
    return super.fetch(url, { ...init, headers });
  }
}

interface Cluster {
  issuer: string;
  tenantId: string;
  /** The test's own connection to the shared database (same master key as the processes). */
  storage: Storage;
  /** `"<upstream> <method> <path>"` of every request the balancer forwarded, in order. */
  requests: string[];
  browser(via: Upstream): RoutedBrowser;
  fetch(via: Upstream, url: string, init?: RequestInit): Promise<Response>;
  discover(clientId: string, clientSecret: string, via: Upstream): Promise<oidc.Configuration>;
  stop(): Promise<void>;
}

/**
 * A fresh database and Redis prefix, processes of `src/main.ts` on them (two unless told; `staggered`:
 * each starts once the previous one is up, as in a rolling deploy; otherwise all at once) and a load
 * balancer whose address is the issuer, routing `a` and `b` to the first two. Everything is removed
 * by `stop`, also when starting fails half-way.
 */
async function startCluster(options: { staggered: boolean; processes?: number }): Promise<Cluster> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const database = await createDatabaseOn(POSTGRES);
    cleanups.push(() => database.drop());
    const prefix = `tessera:test:mp:${randomBytes(6).toString('hex')}:`;
    cleanups.push(() => deleteRedisPrefix(REDIS, prefix));
    const masterKey = randomBytes(32);
    // The test's own connection to the shared database; opening it applies the migrations (as a release
    // step running `prisma migrate deploy` would), so the processes find nothing to migrate.
    const storageDir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
    cleanups.push(() => rm(storageDir, { recursive: true, force: true }));
    const storage = await openStorage({
      url: database.url,
      dataDir: storageDir,
      poolSize: 2,
      bootRetryMs: 0,
      masterKey,
      log: silentLogger,
    });
    cleanups.push(() => storage.close());
    const ports = await Promise.all(Array.from({ length: options.processes ?? 2 }, () => freePort()));
    const balancerPort = await freePort();
    const common = {
      HOST: '127.0.0.1',
      TESSERA_DOMAIN: `localhost:${balancerPort}`,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      DATABASE_URL: database.url!,
      REDIS_URL: REDIS,
      TESSERA_REDIS_PREFIX: prefix,
      TESSERA_DB_POOL_SIZE: '4',
      TESSERA_SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'info',
    };
    const spawnOne = async (port: number) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const child = spawnMain({ ...common, PORT: String(port), TESSERA_DATA_DIR: dataDir });
      cleanups.push(() => stopProcess(child));
      return child;
    };
    if (options.staggered) {
      for (const port of ports) await listening(await spawnOne(port));
    } else {
      // The starting gate: hold the migration lock until every process waits for it, so they all
      // reach the first-run setup in the same moment instead of as their start-up times fall.
      const gate = await holdMigrationLock(database.url!);
      cleanups.push(() => gate.release());
      const children = await Promise.all(ports.map((port) => spawnOne(port)));
      await gate.releaseWhenWaiting(children);
      const booted = await Promise.allSettled(children.map((child) => listening(child)));
      const failures = booted.flatMap((result) =>
        result.status === 'rejected' ? [result.reason.message] : [],
      );
      if (failures.length > 0) throw new Error(failures.join('; '));
    }

    const requests: string[] = [];
    const balancer = await startBalancer(balancerPort, { a: ports[0]!, b: ports[1]! }, requests);
    cleanups.push(() => closeServer(balancer));

    const tenant = await storage.tenants.getDefault();
    assert.ok(tenant, 'the first run created the default tenant');

    const issuer = `http://localhost:${balancerPort}/`;
    const routedFetch = (via: Upstream, url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set(ROUTE_HEADER, via);
      return fetch(url, { ...init, headers });
    };
    return {
      issuer,
      tenantId: tenant.id,
      storage,
      requests,
      browser: (via) => new RoutedBrowser(issuer, via),
      fetch: routedFetch,
      async discover(clientId, clientSecret, via) {
        const custom: oidc.CustomFetch = (url, init) => routedFetch(via, url, init as RequestInit);
        const configuration = await oidc.discovery(
          new URL(issuer),
          clientId,
          { client_secret: clientSecret },
          oidc.ClientSecretPost(clientSecret),
          { execute: [oidc.allowInsecureRequests], [oidc.customFetch]: custom },
        );
        configuration[oidc.customFetch] = custom;
        return configuration;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs `burst` while `table` takes no writes (an EXCLUSIVE lock: reads pass, inserts queue), and lets
 * the writes through once `writers` are queued, or after `patienceMs` for code that writes less. A
 * check-then-insert race then shows every time instead of when the scheduler happens to allow it.
 */
async function whileInsertsWait<T>(
  storage: Storage,
  table: string,
  burst: () => Promise<T>,
  writers = 2,
  patienceMs = 2_000,
): Promise<T> {
  let result: Promise<T> | undefined;
  await storage.db.sql.transaction(async (tx) => {
    await tx.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    result = burst();
    result.catch(() => {});
    const deadline = Date.now() + patienceMs;
    while (Date.now() < deadline) {
      const [row] = await storage.db.sql.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks WHERE relation = $1::regclass AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [table],
      );
      if ((row?.waiting ?? 0) >= writers) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  return result!;
}

/** docs/operations.md#how-the-server-behaves, Migrations: every process migrates under this Postgres advisory lock. */
const MIGRATION_LOCK = 72707369;

/** Takes the migration lock on a connection of its own, to hand it over to waiting processes at once. */
async function holdMigrationLock(url: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
  const db = await openDatabase({ url, dataDir, bootRetryMs: 0, poolSize: 2, log: silentLogger });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let taken!: () => void;
  const locked = new Promise<void>((resolve) => {
    taken = resolve;
  });
  const holding = db.sql.session(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    taken();
    await released;
    await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  });
  await Promise.race([locked, holding]);
  let done: Promise<void> | undefined;
  const releaseNow = () => {
    done ??= (async () => {
      release();
      await holding.catch(() => {});
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    })();
    return done;
  };
  return {
    release: releaseNow,
    /** Releases the lock once every one of `children` is queued on it (or one has exited). */
    async releaseWhenWaiting(children: MainProcess[], timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await db.sql.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objid = $1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [MIGRATION_LOCK],
        );
        if ((row?.waiting ?? 0) >= children.length) break;
        if (children.some((child) => child.child.exitCode !== null) || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await releaseNow();
    },
  };
}

/** A uniquely named database on the server of `adminUrl` (createTestDatabase reads DATABASE_URL). */
async function createDatabaseOn(adminUrl: string): Promise<TestDatabase> {
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = adminUrl;
  try {
    return await createTestDatabase();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

/**
 * The load balancer: forwards each request unchanged (Host included) to the upstream its
 * `x-test-upstream` header names, `a` by default, and records where it went.
 */
async function startBalancer(
  port: number,
  ports: Record<Upstream, number>,
  requests: string[],
): Promise<Server> {
  const server = createServer((req, res) => {
    const via: Upstream = req.headers[ROUTE_HEADER] === 'b' ? 'b' : 'a';
    delete req.headers[ROUTE_HEADER];
    requests.push(`${via} ${req.method} ${req.url?.split('?')[0]}`);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: ports[via], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`balancer: upstream ${via} failed: ${error.message}`);
    });
    req.pipe(upstream);
  });
  // The issuer names this port, so it was chosen before the processes started.
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The first service whose TCP port does not accept a connection within 2 s, described; else undefined. */
async function firstUnreachable(services: [string, string][]): Promise<string | undefined> {
  for (const [name, url] of services) {
    const { hostname, port } = new URL(url);
    const defaultPort = url.startsWith('redis') ? 6379 : 5432;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || defaultPort });
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(2000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (!ok)
      return `${name} does not answer at ${hostname}:${port || defaultPort} (set DATABASE_URL / REDIS_URL)`;
  }
  return undefined;
}
