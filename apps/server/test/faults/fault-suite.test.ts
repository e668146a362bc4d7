import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { managementAudience } from '@tessera/core';
import { startRedis, stopRedis } from '@tessera/testing';
import { type Cluster, startCluster } from '../cluster.ts';
import { freePort } from '../helpers.ts';
import { createApp, createMachine, createUsers } from '../oidc/helpers.ts';
import { browserClient } from './browser-client.ts';
import { freshLoginFailures, revokedStillValid } from './checks.ts';
import { type Load, passwordClient } from './clients.ts';
import { postgresCut, processKilled, redisRestarted, type Target } from './inject.ts';
import { REQUEST_TIMEOUT_MS, Recorder } from './recorder.ts';
import { errorViolations, type Fault, serverErrors, slowRequests, summary } from './report.ts';
import { managementClient, readBack, type Writes } from './writes.ts';

/**
 * Issue 21's fault suite (docs/security.md#34–#38): two processes under a steady mixed load from
 * eight clients (password-grant and browser logins, refreshes, SSO, revocations, Management API
 * writes), while their Redis is stopped and started again, their link to Postgres is cut and
 * restored, and one of them is SIGKILLed and started again. What each fault cost is printed; the
 * tests below hold the run to the issue's promises. Needs Postgres (DATABASE_URL) and redis-server;
 * the processes use a redis-server of this test's own, never the shared one. About a minute.
 */
const skip = process.env.DATABASE_URL
  ? undefined
  : 'DATABASE_URL is not set (the fault suite runs in the Postgres + Redis pass)';
if (skip) process.stderr.write(`\n*** fault-suite.test.ts SKIPPED: ${skip} ***\n\n`);

/** The app's reuse interval (Auth0's `refresh_token.leeway`), longer than a client's retries. */
const LEEWAY_S = 30;
/** Steady load before, between and after the faults. */
const STEADY_MS = 8_000;

describe('faults under load: Redis restarted, the Postgres link cut, a process killed', {
  skip,
  timeout: 175_000,
}, () => {
  const recorder = new Recorder();
  const faults: Fault[] = [];
  const writes: Writes = { created: [], patches: [] };
  const problems = { writes: [] as string[], revoked: [] as string[], fresh: [] as string[] };
  let redisDir: string | undefined;
  /** The processes' own redis-server; the faults replace `child` when they start it again. */
  let redis: Target['redis'] | undefined;
  let cluster: Cluster | undefined;
  let target: Target | undefined;
  let clients: Promise<unknown> | undefined;

  before(
    async () => {
      const port = await freePort();
      redisDir = await mkdtemp(join(tmpdir(), 'tessera-faults-'));
      redis = { child: await startRedis(port, { dir: redisDir }), port, dir: redisDir };
      cluster = await startCluster({
        staggered: true,
        redis: `redis://127.0.0.1:${port}`,
        relayDatabase: true,
      });
      const app = await createApp(cluster, {
        grantTypes: ['authorization_code', 'refresh_token', 'password'],
        refreshToken: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: LEEWAY_S },
      });
      const people = Array.from({ length: 8 }, (_, i) => ({
        username: `person${i}@example.com`,
        password: `person ${i} has a good password`,
      }));
      await createUsers(cluster, ...people);
      const token = await managementToken(cluster);
      const load: Load = { cluster, recorder, app, revoked: [], stopping: false };
      target = { cluster, load, redis, burster: people[7]! };
      recorder.origin = Date.now();
      clients = Promise.all([
        passwordClient(load, people[0]!, 'a', 3),
        passwordClient(load, people[1]!, 'b', 3),
        passwordClient(load, people[2]!, 'a', 4),
        browserClient(load, people[3]!, 'a'),
        browserClient(load, people[4]!, 'b'),
        browserClient(load, people[5]!, 'a'),
        managementClient(load, writes, 0, token),
        managementClient(load, writes, 1, token),
      ]);
      clients.catch(() => {}); // awaited below; a client's own failure must not surface as unhandled first

      for (const fault of [redisRestarted, postgresCut, processKilled]) {
        await sleep(STEADY_MS);
        faults.push(await fault(target));
      }
      await sleep(STEADY_MS);
      load.stopping = true;
      await clients;
      const loadEndedAt = Date.now();

      problems.writes = await readBack(cluster.storage, cluster.tenantId, writes);
      problems.revoked = await revokedStillValid(load);
      problems.fresh = await freshLoginFailures(load, people[6]!);
      report(load, loadEndedAt);
    },
    { timeout: 160_000 },
  );

  after(
    async () => {
      if (target?.load) target.load.stopping = true;
      await clients?.catch(() => {});
      await cluster?.stop();
      if (redis) await stopRedis(redis.child);
      if (redisDir) await rm(redisDir, { recursive: true, force: true });
    },
    { timeout: 60_000 },
  );

  /** What each fault cost, measured, for docs/operations.md; the servers' error lines for the cause. */
  function report(load: Load, loadEndedAt: number) {
    const count = (list: { acknowledged: boolean }[], acknowledged: boolean) =>
      list.filter((write) => write.acknowledged === acknowledged).length;
    const errors = serverErrors(cluster!.started);
    console.log(
      [
        '',
        'fault suite: what each fault cost (measured)',
        summary(recorder, faults, loadEndedAt),
        `writes: ${count(writes.created, true)} users created and ${count(writes.patches, true)} app_metadata ` +
          `patches acknowledged, ${count(writes.created, false)} and ${count(writes.patches, false)} unanswered; ` +
          `${load.revoked.length} refresh tokens revoked`,
        ...(errors.length > 0 ? ['server error lines:', ...errors.slice(0, 15)] : []),
      ].join('\n'),
    );
  }

  it('keeps every acknowledged Management API write whole, and half-applies no unanswered one', () => {
    assert.ok(
      writes.created.some((user) => user.acknowledged) && writes.patches.some((patch) => patch.acknowledged),
      'the writers got users created and app_metadata patched',
    );
    none(problems.writes, 'write(s) lost or half-applied');
  });

  it('loses no session to a fault that struck before its answer (same-token retry, SSO afterwards)', () => {
    const refreshed = recorder.exchanges.filter(
      (e) => e.what === 'POST /oauth/token refresh_token' && e.status === 200,
    );
    assert.ok(refreshed.length > 50, `the load refreshed (${refreshed.length} refreshes)`);
    const lost = recorder.lost.map(
      (session) =>
        `${recorder.time(session.at)} ${session.what}` +
        `${session.interruptedAt ? ` (first failed attempt ${recorder.time(session.interruptedAt)})` : ''}: ${session.answer}`,
    );
    none(lost, 'session(s) lost');
  });

  it('keeps every revoked refresh token revoked, on both processes', () => {
    assert.ok(target!.load.revoked.length > 0, 'the clients revoked refresh tokens');
    none(problems.revoked, 'revoked token(s) not refused with invalid_grant');
  });

  it(`answers every request within the client timeout (${REQUEST_TIMEOUT_MS} ms; docs/operations.md states none)`, () => {
    none(slowRequests(recorder), 'request(s) unanswered at the timeout');
  });

  it('fails only with 503 and Retry-After, or with connection errors from the process killed while it is down', () => {
    const { count, groups } = errorViolations(recorder, faults);
    none(groups, `kind(s) of error answer the issue does not allow (${count} answers)`);
  });

  it('has every process ready again within a few seconds of each fault', () => {
    assert.equal(faults.length, 3);
    const late = faults.flatMap((fault) =>
      (['a', 'b'] as const).flatMap((via) => {
        const ms = fault.ready[via];
        return ms !== undefined && ms <= fault.boundMs
          ? []
          : [`${fault.name}: ${via} ready after ${ms ?? 'more than'} ms (bound ${fault.boundMs} ms)`];
      }),
    );
    none(late, 'process(es) not ready in time');
  });

  it('serves a fresh login and refresh on each process after the faults', () => {
    none(problems.fresh, 'fresh login(s) or refresh(es) failed');
  });
});

/** Fails listing the first problems when there are any. */
function none(problems: string[], what: string) {
  const shown = problems.slice(0, 20).join('\n');
  const more = problems.length > 20 ? `\n… and ${problems.length - 20} more` : '';
  assert.equal(problems.length, 0, `${problems.length} ${what}:\n${shown}${more}`);
}

/** A client-credentials token for the Management API with what the writers need. */
async function managementToken(cluster: Cluster): Promise<string> {
  const audience = managementAudience(cluster.issuer);
  const machine = await createMachine(cluster, audience, ['create:users', 'update:users', 'read:users']);
  const response = await cluster.fetch('a', `${cluster.issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: machine.clientId,
      client_secret: machine.clientSecret,
      audience,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.access_token!;
}
