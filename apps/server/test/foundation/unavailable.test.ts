import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { openDatabase } from '@tessera/storage';
import {
  createTestDatabase,
  startRedis,
  startRelay,
  stopRedis,
  type TestDatabase,
  waitFor,
} from '@tessera/testing';
import * as oidc from 'openid-client';
import { freePort } from '../helpers.ts';
import {
  Browser,
  createApp,
  createUsers,
  discover,
  loginWithCode,
  managementToken,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
  WebBrowser,
} from '../oidc/helpers.ts';

/**
 * docs/operations.md#how-the-server-behaves: while the KV store or the database cannot be reached,
 * every endpoint answers 503 with `Retry-After` in its own wire format (OAuth JSON, the error page,
 * the Management API's Auth0 body), never naming the store or the cause; the log line carries both,
 * with the request id. Once the store returns, the same calls succeed again.
 *
 * One server on its own redis-server (stopped and restarted here) and, when DATABASE_URL is set, on
 * Postgres through a TCP relay (cut and restored here); without DATABASE_URL it runs on the embedded
 * database and the Postgres cases are skipped.
 */
const needsPostgres = process.env.DATABASE_URL
  ? false
  : 'needs DATABASE_URL (a real Postgres server to cut the network to)';
if (needsPostgres) {
  process.stderr.write(`\n*** unavailable.test.ts: the Postgres outage SKIPPED: ${needsPostgres} ***\n\n`);
}

const PUBLIC_TEXT = 'The service is temporarily unavailable; try again in a moment.';
/** What a caller must never read: the store, the driver, the cause. */
const INTERNAL =
  /\bkv\b|redis|\bdatabase\b|postgres|prisma|pglite|ECONN|127\.0\.0\.1|terminated|is unavailable/i;

const ada = { username: 'ada@example.com', password: 'ada has a long password' };

async function expectJson(response: Response, what: string) {
  assert.equal(response.status, 503, what);
  assert.equal(response.headers.get('retry-after'), '5', `${what}: Retry-After`);
  assert.equal(response.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
  const text = await response.text();
  assert.deepEqual(
    JSON.parse(text),
    { error: 'temporarily_unavailable', error_description: PUBLIC_TEXT },
    what,
  );
}

async function expectPage(response: Response, what: string, language: 'en' | 'fr' = 'en') {
  assert.equal(response.status, 503, `${what}: a page, not a redirect`);
  assert.equal(response.headers.get('retry-after'), '5', `${what}: Retry-After`);
  assert.equal(response.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/, what);
  const page = await response.text();
  const [heading, text] =
    language === 'en'
      ? ['Temporarily unavailable', 'The service is temporarily unavailable. Try again in a moment.']
      : [
          'Service momentanément indisponible',
          'Le service est momentanément indisponible. Réessayez dans un instant.',
        ];
  assert.match(page, new RegExp(`<h1>${heading}</h1>`), what);
  assert.ok(page.includes(`<p>${text}</p>`), `${what}: ${page}`);
  assert.match(page, /<code>temporarily_unavailable<\/code>/, what);
  const requestId = response.headers.get('x-request-id');
  assert.ok(requestId && page.includes(`<code>${requestId}</code>`), `${what}: the request id shown`);
  assert.doesNotMatch(page.replace(/<link[^>]*>|<meta[^>]*>/g, ''), INTERNAL, what);
}

async function expectAuth0(response: Response, what: string) {
  assert.equal(response.status, 503, what);
  assert.equal(response.headers.get('retry-after'), '5', `${what}: Retry-After`);
  assert.equal(response.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  assert.deepEqual(
    await response.json(),
    { statusCode: 503, error: 'Service Unavailable', message: PUBLIC_TEXT, errorCode: 'service_unavailable' },
    what,
  );
}

describe('a store that cannot be reached answers 503 in every wire format', () => {
  let redisPort: number;
  let redis: ChildProcess;
  let database: TestDatabase | undefined;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  let managementBearer: string;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    if (!needsPostgres) {
      database = await createTestDatabase();
      relay = await startRelay(new URL(database.url!));
    }
    server = await startOidcServer({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TESSERA_REDIS_PREFIX: 'unavailable:',
      ...(relay ? { DATABASE_URL: relay.url, TESSERA_DB_POOL_SIZE: '4' } : {}),
    });
    app = await createApp(server);
    config = await discover(server, app.clientId, app.clientSecret);
    await createUsers(server, ada);
    managementBearer = await managementToken(server);
  });
  after(async () => {
    // The server's cleanup deletes its keys in Redis and closes its pool through the relay.
    if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(redisPort);
    await relay?.restore();
    await server?.stop();
    await stopRedis(redis);
    await relay?.cut();
    await database?.drop();
  });

  const ready = async () => (await fetch(`${server.url}/ready`)).status === 200;
  const post = (path: string, fields: Record<string, string>, requestId?: string) =>
    fetch(new URL(path, server.issuer), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: new URLSearchParams(fields),
    });
  const withSecret = () => ({ client_id: app.clientId, client_secret: app.clientSecret });
  const refresh = (refreshToken: string, requestId?: string) =>
    post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...withSecret() },
      requestId,
    );
  const userinfo = (accessToken: string) =>
    fetch(new URL('/userinfo', server.issuer), { headers: { authorization: `Bearer ${accessToken}` } });
  const management = (path: string, requestId?: string) =>
    fetch(new URL(`/api/v2${path}`, server.issuer), {
      headers: {
        authorization: `Bearer ${managementBearer}`,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
    });
  /** An authorization request as a browser opens it (openid-client builds it; PKCE). */
  const authorizeUrl = async (verifier = oidc.randomPKCECodeVerifier()) =>
    oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile email offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'st',
      })
      .toString();
  /** The login page of a login started in `browser` (its interaction lives in the KV store). */
  const loginPage = async (browser: Browser) => {
    const start = await browser.follow(await authorizeUrl());
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    return start.url;
  };
  /** The process is alive (/health, so nothing restarts it) and out of rotation (/ready names the store). */
  const expectNotReady = async (checks: Record<string, string>) => {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    const readiness = await fetch(`${server.url}/ready`);
    assert.equal(readiness.status, 503);
    assert.deepEqual(((await readiness.json()) as { checks: unknown }).checks, checks);
  };
  /** The log line of the request `reqId` that names the store that failed, and why. */
  const logOf = (reqId: string) =>
    server.logs.find((line) => line.reqId === reqId && /is unavailable$/.test(String(line.msg)));
  /** Each request's 503 left one error line: its id, the store, and the cause (message and stack). */
  const expectLogged = (reqIds: string[], dependency: 'kv' | 'database') => {
    for (const reqId of reqIds) {
      const line = logOf(reqId);
      assert.ok(line, `a log line for ${reqId}`);
      assert.equal(line.msg, `${dependency} is unavailable`, reqId);
      const err = line.err as { type: string; dependency: string; message: string; stack: string };
      assert.equal(err.type, 'ServiceUnavailableError', reqId);
      assert.equal(err.dependency, dependency, reqId);
      // pino appends the cause's message to ours and keeps its stack.
      assert.match(err.message, /^temporarily_unavailable: \s*\S/, reqId);
      assert.match(err.stack, /caused by: /, reqId);
    }
  };

  describe('Redis stopped', () => {
    let code: string;
    let verifier: string;
    let accessToken: string;
    let pageUrl: string;
    let person: WebBrowser;

    before(async () => {
      accessToken = (await loginWithCode(server, config, new Browser(server.issuer), ada)).access_token;
      // A login that reached the app, its code not redeemed yet.
      verifier = oidc.randomPKCECodeVerifier();
      const browser = new Browser(server.issuer);
      const start = await browser.follow(await authorizeUrl(verifier));
      const done = await browser.login(start.url, ada.username, ada.password);
      code = new URL(done.url).searchParams.get('code')!;
      assert.ok(code, `a code (${done.url})`);
      person = new WebBrowser(server.issuer);
      pageUrl = await loginPage(person);
      await stopRedis(redis);
    });

    it('answers the token endpoint and /userinfo with the OAuth JSON error', async () => {
      const token = await post(
        '/oauth/token',
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
          ...withSecret(),
        },
        'outage-a-token',
      );
      await expectJson(token, 'the token endpoint');
      await expectJson(await userinfo(accessToken), '/userinfo');
    });

    it('answers /authorize and the login page with the error page, in the reader’s language', async () => {
      await expectPage(await new WebBrowser(server.issuer).fetch(await authorizeUrl()), '/authorize');
      await expectPage(
        await person.fetch(pageUrl, { headers: { 'x-request-id': 'outage-a-page' } }),
        '/u/login',
      );
      await expectPage(
        await person.fetch(pageUrl, { headers: { 'accept-language': 'fr' } }),
        '/u/login in French',
        'fr',
      );
    });

    it('answers the Management API with Auth0’s 503 body', async () => {
      const blocks = await management(
        `/user-blocks?identifier=${encodeURIComponent(ada.username)}`,
        'outage-a-api',
      );
      await expectAuth0(blocks, '/api/v2/user-blocks');
    });

    it('keeps answering what needs no KV store; /health stays 200 and /ready says which store is down', async () => {
      assert.equal((await fetch(new URL('/.well-known/openid-configuration', server.issuer))).status, 200);
      assert.equal((await management('/users')).status, 200);
      await expectNotReady({ database: 'ok', kv: 'unavailable' });
    });

    it('logs each 503 with its request id, the store and the cause', () => {
      // The cause is ioredis's own refusal.
      expectLogged(['outage-a-token', 'outage-a-page', 'outage-a-api'], 'kv');
    });

    it('succeeds again once Redis returns', async () => {
      redis = await startRedis(redisPort);
      await waitFor(ready, '/ready after Redis returns');
      const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
      assert.equal((await userinfo(tokens.access_token)).status, 200);
      assert.equal((await refresh(tokens.refresh_token!)).status, 200);
      const blocks = await management(`/user-blocks?identifier=${encodeURIComponent(ada.username)}`);
      assert.deepEqual(await blocks.json(), { blocked_for: [] });
    });
  });

  describe('Postgres cut off', { skip: needsPostgres }, () => {
    let refreshToken: string;
    let accessToken: string;
    let pageUrl: string;
    let person: WebBrowser;

    before(async () => {
      const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
      accessToken = tokens.access_token;
      person = new WebBrowser(server.issuer);
      pageUrl = await loginPage(person);
      // One exchange just before the cut: the tenant, its provider and the client are in the caches.
      const exchanged = await refresh(tokens.refresh_token!);
      assert.equal(exchanged.status, 200);
      refreshToken = ((await exchanged.json()) as { refresh_token: string }).refresh_token;
      await relay!.cut();
    });

    it('answers the token endpoint and /userinfo with the OAuth JSON error', async () => {
      await expectJson(await refresh(refreshToken, 'outage-b-token'), 'the token endpoint');
      await expectJson(await userinfo(accessToken), '/userinfo');
    });

    it('answers discovery and the JWKS with the JSON error, not cached, once the tenant must be read', async () => {
      // The tenant of a Host is cached for 5 s: after that every request needs the database.
      const discovery = new URL('/.well-known/openid-configuration', server.issuer);
      await waitFor(
        async () => (await fetch(discovery)).status === 503,
        'the tenant cache to expire',
        15_000,
      );
      await expectJson(await fetch(discovery), 'discovery');
      await expectJson(await fetch(new URL('/.well-known/jwks.json', server.issuer)), 'the JWKS');
    });

    it('answers /authorize and the login page with the error page', async () => {
      await expectPage(await new WebBrowser(server.issuer).fetch(await authorizeUrl()), '/authorize');
      await expectPage(
        await person.fetch(pageUrl, { headers: { 'x-request-id': 'outage-b-page' } }),
        '/u/login',
      );
    });

    it('answers the Management API with Auth0’s 503 body; /health stays 200, /ready says which store is down', async () => {
      await expectAuth0(await management('/users', 'outage-b-api'), '/api/v2/users');
      await expectNotReady({ database: 'unavailable', kv: 'ok' });
    });

    it('logs each 503 with its request id, the store and the cause', () => {
      // The cause is the driver's error (a refused connection, Prisma's "can't reach").
      expectLogged(['outage-b-token', 'outage-b-page', 'outage-b-api'], 'database');
    });

    it('succeeds again once Postgres returns, with the refresh token the failed exchange left valid', async () => {
      await relay!.restore();
      await waitFor(ready, '/ready after Postgres returns');
      const exchanged = await refresh(refreshToken);
      assert.equal(exchanged.status, 200, await exchanged.clone().text());
      const { access_token } = (await exchanged.json()) as { access_token: string };
      assert.equal((await userinfo(access_token)).status, 200);
      const toLogin = await new WebBrowser(server.issuer).fetch(await authorizeUrl());
      assert.match(toLogin.headers.get('location') ?? '', /\/u\/login\?state=/, 'on to the login page');
      assert.equal((await management('/users')).status, 200);
    });

    it('answers a failure after the route ran (the rotation commit) with the JSON error too', async () => {
      const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
      const gate = await gateRotationCommit(database!);
      try {
        const pending = refresh(tokens.refresh_token!, 'outage-c-commit');
        await gate.waiting();
        // The commit's connection ends under it, after oidc-provider's token route has answered.
        await gate.dropWaiting();
        await expectJson(await pending, 'the token endpoint, failing in its commit');
      } finally {
        await gate.open();
      }
      assert.equal(logOf('outage-c-commit')?.msg, 'database is unavailable');
      assert.equal((await refresh(tokens.refresh_token!)).status, 200, 'the token was left valid');
    });
  });
});

const GATE_LOCK = 7421;

/**
 * Holds the statement that marks a rotated refresh token used (refresh-rotation.ts: after the token
 * route ran, before the answer leaves) until the test ends its connection, as a lost network would.
 */
async function gateRotationCommit(database: TestDatabase) {
  const direct = await openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    bootRetryMs: 0,
    poolSize: 2,
    log: silentLogger,
  });
  await direct.sql.exec(`
    CREATE OR REPLACE FUNCTION test_commit_gate() RETURNS trigger AS $$
    BEGIN PERFORM pg_advisory_xact_lock_shared(${GATE_LOCK}); RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER test_commit_gate BEFORE UPDATE ON oidc_records FOR EACH ROW
      WHEN (OLD.consumed_at IS NULL AND NEW.consumed_at IS NOT NULL) EXECUTE FUNCTION test_commit_gate();`);
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const { promise: holding, resolve: held } = Promise.withResolvers<void>();
  const session = direct.sql.session(async (conn) => {
    await conn.query(`SELECT pg_advisory_lock(${GATE_LOCK})`);
    held();
    await released;
    await conn.query(`SELECT pg_advisory_unlock(${GATE_LOCK})`);
  });
  await holding;
  const waitingOnGate = `FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ${GATE_LOCK}
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  return {
    waiting: () =>
      waitFor(async () => {
        const [row] = await direct.sql.query<{ n: number }>(`SELECT count(*)::int AS n ${waitingOnGate}`);
        return (row?.n ?? 0) > 0;
      }, 'the commit to wait at the gate'),
    dropWaiting: () => direct.sql.query(`SELECT pg_terminate_backend(pid) ${waitingOnGate}`),
    async open() {
      release();
      await session;
      await direct.sql.exec('DROP TRIGGER IF EXISTS test_commit_gate ON oidc_records');
      await direct.close();
    },
  };
}
