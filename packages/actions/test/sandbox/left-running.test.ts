import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../egress/helpers.ts';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { assertServes, HOSTILE_BUDGETS } from './helpers.ts';

// One worker: whatever a run leaves behind is in the path of the next one.
const fixture = useRuntime({ ...HOSTILE_BUDGETS, workers: 1, timeoutMs: 3000 });

describe('code an action leaves running after its handler returns', () => {
  test('an unawaited microtask loop is stopped by the idle watchdog; the worker keeps serving', async () => {
    const pids = fixture.runtime.workerPids();
    const started = await fixture.run(
      handler('await new Promise((r) => setTimeout(r, 1)); (async () => { for (;;) await null; })();'),
      { tenantId: 'tenant-leftover' },
    );
    assert.equal(started.outcome, 'completed');
    const t0 = Date.now();
    await assertServes(fixture, 'tenant-leftover');
    await assertServes(fixture, 'tenant-bystander');
    assert.ok(Date.now() - t0 < 2500, `the next runs waited ${Date.now() - t0} ms`);
    assert.deepEqual(fixture.runtime.workerPids(), pids, 'the worker was not killed');
  });

  test('a timer callback queued to run after the handler returns is stopped the same way', async () => {
    const started = await fixture.run(
      handler(
        'const p = new Promise((r) => setTimeout(r, 5)); setTimeout(() => { for (;;) {} }, 5); await p;',
      ),
      { tenantId: 'tenant-late-timer' },
    );
    assert.equal(started.outcome, 'completed');
    await assertServes(fixture, 'tenant-late-timer');
    await assertServes(fixture, 'tenant-bystander');
  });

  test('a deploy check whose top level leaves a loop spinning ends as timeout instead of hanging', async () => {
    const t0 = Date.now();
    const check = await fixture.runtime.check(
      '(async () => { for (;;) await null; })();\nexports.onExecutePostLogin = async () => {};',
    );
    assert.ok(Date.now() - t0 < 4000, `the check took ${Date.now() - t0} ms`);
    assert.equal(check.ok, false);
    assert.equal(check.ok === false && check.kind, 'timeout');
  });
});

describe('fetch fan-out from one action', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 200));
  });
  after(() => server.close());

  test('at most 10 requests are in flight at once; the others reject inside the action', async () => {
    const code = handler(`
      const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => fetch('${server.origin}/').then((r) => r.text())));
      console.log(JSON.stringify(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason.message))));`);
    const result = await fixture.run(code, {
      tenantId: 'tenant-fanout',
      egressAllowHosts: ['127.0.0.1'],
    });
    assert.equal(result.outcome, 'completed', JSON.stringify(result).slice(0, 300));
    const outcomes = JSON.parse(result.logs[0]?.message ?? '[]') as string[];
    assert.equal(outcomes.filter((o) => o === 'ok').length, 10);
    assert.deepEqual(
      [...new Set(outcomes.filter((o) => o !== 'ok'))],
      ['fetch failed: at most 10 requests may be in flight at once in an action'],
    );
    assert.equal(server.requests.length, 10);
  });
});

describe('run input', () => {
  test('a budget that is not a positive number fails the run as a value, before any worker sees it', async () => {
    const pids = fixture.runtime.workerPids();
    for (const budgetMs of [Number.NaN, -1, 0]) {
      const result = await fixture.run(handler(''), { budgetMs });
      assert.equal(
        result.outcome === 'failed' && result.message,
        'budgetMs must be a positive number of milliseconds',
      );
    }
    assert.deepEqual(fixture.runtime.workerPids(), pids);
  });

  test('tenant options of the wrong type fail the run as a value, naming the option', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ allowHttpRedirects: 'yes' }, 'allowHttpRedirects must be a boolean'],
      [{ egressAllowHosts: 'example.com' }, 'egressAllowHosts must be an array of host names'],
    ];
    for (const [options, message] of cases) {
      const result = await fixture.run(handler(''), options as never);
      assert.equal(result.outcome === 'failed' && result.message, message);
    }
  });
});
