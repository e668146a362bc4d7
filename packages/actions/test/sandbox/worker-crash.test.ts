import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../egress/helpers.ts';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { assertCompletedFor, assertFailed, assertServes, sleep } from './helpers.ts';

// docs/security.md#4: a worker that dies (here: SIGKILL from outside, the bluntest crash) is
// replaced. Runs in flight that had no external side effect are retried once on a fresh worker; a run
// that already called out (fetch) must not run twice, so it fails closed.
const fixture = useRuntime({ timeoutMs: 3000, cpuMs: 500, memoryMb: 32, workers: 2 });
let server: TestServer;
before(async () => {
  server = await startServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
after(() => server.close());

const sleeper = (tenantId: string, ms: number) =>
  handler(
    `await new Promise((resolve) => setTimeout(resolve, ${ms})); api.idToken.setCustomClaim('https://tessera.test/tenant', '${tenantId}');`,
  );

function runSleepers(prefix: string, count: number, ms: number) {
  return Array.from({ length: count }, (_, i) => {
    const tenantId = `${prefix}-${i}`;
    const started = Date.now();
    return fixture
      .run(sleeper(tenantId, ms), { tenantId })
      .then((result) => ({ tenantId, result, ms: Date.now() - started }));
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('a sandbox worker killed with SIGKILL', () => {
  test('side-effect-free runs in flight on it are retried on a fresh worker and complete', async () => {
    const pids = fixture.runtime.workerPids();
    const runs = runSleepers('tenant-retry', 6, 500);
    await sleep(200);
    process.kill(pids[0]!, 'SIGKILL');
    const results = await Promise.all(runs);
    for (const { tenantId, result } of results) assertCompletedFor(result, tenantId);
    assert.ok(
      results.some(({ ms }) => ms > 650),
      `the runs on the killed worker started again: ${results.map(({ ms }) => ms)}`,
    );
    const now = fixture.runtime.workerPids();
    assert.equal(now.length, 2);
    assert.ok(!now.includes(pids[0]!), 'the killed worker is gone');
    assert.ok(now.includes(pids[1]!), 'the other worker was not touched');
  });

  test('a run that already made a fetch fails closed as crash, and its request is not sent again', async () => {
    const pids = fixture.runtime.workerPids();
    const effect = fixture.run(
      handler(`
        const response = await fetch('${server.origin}/effect', { method: 'POST', body: 'charge the card' });
        console.log('called', response.status);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        api.idToken.setCustomClaim('https://tessera.test/charged', true);`),
      { tenantId: 'tenant-effect', egressAllowHosts: ['127.0.0.1'] },
    );
    const bystanders = runSleepers('tenant-bystander', 4, 600);
    await until(() => server.requests.length === 1, 'the fetch');
    // Both workers, so the one running the fetching action is certainly among them.
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const failed = assertFailed(await effect, 'crash', 'the sandbox worker crashed and was replaced');
    assert.equal(failed.action, undefined);
    assert.deepEqual(failed.commands, []);
    for (const { tenantId, result } of await Promise.all(bystanders)) assertCompletedFor(result, tenantId);
    await sleep(300);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.url, r.body.toString()]),
      [['POST', '/effect', 'charge the card']],
    );
    const now = fixture.runtime.workerPids();
    assert.equal(now.length, 2);
    assert.ok(
      now.every((pid) => !pids.includes(pid)),
      `both workers were replaced: ${pids} → ${now}`,
    );
  });

  test('the replaced workers serve later runs, fetches included', async () => {
    await assertServes(fixture, 'tenant-effect');
    await assertServes(fixture, 'tenant-later');
    const result = await fixture.run(
      handler(
        `const r = await fetch('${server.origin}/again'); console.log(JSON.stringify(await r.json()));`,
      ),
      { tenantId: 'tenant-effect', egressAllowHosts: ['127.0.0.1'] },
    );
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      result.logs.map((l) => l.message),
      ['{"ok":true}'],
    );
  });
});
