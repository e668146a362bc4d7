import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@tessera/core';
import { openDatabase, openStorage, type Storage } from '@tessera/storage';
import { createTestDatabase, deleteRedisPrefix, startRelay, type TestDatabase } from '@tessera/testing';
import * as oidc from 'openid-client';
import { freePort, listening, type MainProcess, spawnMain, stopProcess } from './helpers.ts';
import { Browser } from './oidc/helpers.ts';

/**
 * Several `src/main.ts` processes over one Postgres database and one Redis prefix, behind a test load
 * balancer, as a deployment runs them (docs/security.md#38). Used by the multi-process tests and the
 * fault suite; needs real servers: DATABASE_URL / REDIS_URL, or the local ones.
 */
export const POSTGRES = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type Upstream = 'a' | 'b';

/** The header that tells the test's load balancer which process should answer. */
export const ROUTE_HEADER = 'x-test-upstream';

/** A Browser behind the test's load balancer, pinned to one upstream until `via` changes. */
export class RoutedBrowser extends Browser {
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

export type Relay = Awaited<ReturnType<typeof startRelay>>;

export interface ClusterOptions {
  /** Each process starts once the previous one listens, as in a rolling deploy; else all at once. */
  staggered: boolean;
  /** How many processes (2 unless told); the balancer routes `a` and `b` to the first two. */
  processes?: number;
  /** The Redis the processes use (REDIS unless told). */
  redis?: string;
  /** The processes reach Postgres through a relay the test can cut; the test's own handle does not. */
  relayDatabase?: boolean;
}

export interface Cluster {
  issuer: string;
  tenantId: string;
  /** The test's own connection to the shared database (same master key as the processes). */
  storage: Storage;
  /** `"<upstream> <method> <path>"` of every request the balancer forwarded, in order. */
  requests: string[];
  /** Between the processes and Postgres, with `relayDatabase`. */
  relay: Relay | undefined;
  /** Every process started, in order, those replaced by `restart` included (their output). */
  started: MainProcess[];
  browser(via: Upstream): RoutedBrowser;
  fetch(via: Upstream, url: string, init?: RequestInit): Promise<Response>;
  discover(clientId: string, clientSecret: string, via: Upstream): Promise<oidc.Configuration>;
  /** Sends `signal` to process `via` and waits until it has exited. */
  kill(via: Upstream, signal: NodeJS.Signals): Promise<void>;
  /** Starts process `via` again on its port, data folder and settings; resolves once it listens. */
  restart(via: Upstream): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A fresh database and Redis prefix, processes of `src/main.ts` on them and a load balancer whose
 * address is the issuer. Every address is 127.0.0.1 (the issuer too: `http://127.0.0.1:<port>/`).
 * Everything is removed by `stop`, also when starting fails half-way.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const redis = options.redis ?? REDIS;
    const database = await createDatabaseOn(POSTGRES);
    cleanups.push(() => database.drop());
    const prefix = `tessera:test:mp:${randomBytes(6).toString('hex')}:`;
    cleanups.push(() => deleteRedisPrefix(redis, prefix));
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
    let relay: Relay | undefined;
    if (options.relayDatabase) {
      relay = await startRelay(new URL(database.url!));
      cleanups.push(() => relay!.cut());
    }
    const ports = await Promise.all(Array.from({ length: options.processes ?? 2 }, () => freePort()));
    const balancerPort = await freePort();
    const common = {
      HOST: '127.0.0.1',
      TESSERA_DOMAIN: `127.0.0.1:${balancerPort}`,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      DATABASE_URL: relay?.url ?? database.url!,
      REDIS_URL: redis,
      TESSERA_REDIS_PREFIX: prefix,
      TESSERA_DB_POOL_SIZE: '4',
      TESSERA_SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'info',
    };
    const dataDirs = await Promise.all(
      ports.map(async () => {
        const dir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        return dir;
      }),
    );
    /** The processes now serving, by index; `started` keeps those replaced by `restart` too. */
    const children: MainProcess[] = [];
    const started: MainProcess[] = [];
    cleanups.push(() => Promise.all(children.map((child) => stopProcess(child))));
    const spawnOne = (index: number) => {
      const child = spawnMain({ ...common, PORT: String(ports[index]), TESSERA_DATA_DIR: dataDirs[index]! });
      children[index] = child;
      started.push(child);
      return child;
    };
    if (options.staggered) {
      for (const index of ports.keys()) await listening(spawnOne(index));
    } else {
      // The starting gate: hold the migration lock until every process waits for it, so they all
      // reach the first-run setup in the same moment instead of as their start-up times fall.
      const gate = await holdMigrationLock(database.url!);
      cleanups.push(() => gate.release());
      const all = [...ports.keys()].map((index) => spawnOne(index));
      await gate.releaseWhenWaiting(all);
      const booted = await Promise.allSettled(all.map((child) => listening(child)));
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

    const issuer = `http://127.0.0.1:${balancerPort}/`;
    const routedFetch = (via: Upstream, url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set(ROUTE_HEADER, via);
      return fetch(url, { ...init, headers });
    };
    const indexOf = (via: Upstream) => (via === 'a' ? 0 : 1);
    return {
      issuer,
      tenantId: tenant.id,
      storage,
      requests,
      relay,
      started,
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
      kill: (via, signal) => stopProcess(children[indexOf(via)]!, signal),
      async restart(via) {
        await listening(spawnOne(indexOf(via)));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** docs/operations.md#how-the-server-behaves, Migrations: every process migrates under this Postgres advisory lock. */
const MIGRATION_LOCK = 72707369;

/** Takes the migration lock on a connection of its own, to hand it over to waiting processes at once. */
async function holdMigrationLock(url: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
  const db = await openDatabase({ url, dataDir, bootRetryMs: 0, poolSize: 2, log: silentLogger });
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const { promise: locked, resolve: taken } = Promise.withResolvers<void>();
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
 * `x-test-upstream` header names, `a` by default, and records where it went. An upstream that does not
 * answer gets a 502 whose body starts with `balancer:`; one that dies mid-answer cuts the client's
 * connection, as a proxy does.
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
        answer.on('error', () => res.destroy());
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' });
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
export async function firstUnreachable(services: [string, string][]): Promise<string | undefined> {
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
