import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Storage } from '@tessera/storage';
import * as oidc from 'openid-client';
import {
  type Cluster,
  firstUnreachable,
  POSTGRES,
  REDIS,
  type RoutedBrowser,
  startCluster,
  type Upstream,
} from '../cluster.ts';
import { createApp, createUsers, REDIRECT_URI } from './helpers.ts';

/**
 * docs/security.md#38: two Tessera processes over one Postgres database and one Redis prefix, behind a load
 * balancer that keeps the Host header (so both serve the same issuer). A flow may hop between them at
 * any request; a code is redeemed once across both. This needs real servers: DATABASE_URL / REDIS_URL,
 * or the local ones; when they do not answer the suite is skipped, loudly.
 */
const unreachable = await firstUnreachable([
  ['Postgres', POSTGRES],
  ['Redis', REDIS],
]);
if (unreachable) {
  process.stderr.write(`\n*** multi-process.test.ts SKIPPED: ${unreachable} ***\n\n`);
}

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
