import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { assertCompletedFor, assertFailed, assertServes, HOSTILE_BUDGETS, plainAction } from './helpers.ts';

// docs/security.md#1: a synchronous endless loop is stopped at its budget, the login fails closed,
// and nothing else (other tenants, the worker process, the tenant's next login) is affected.
const fixture = useRuntime(HOSTILE_BUDGETS);
const CPU_STOP = 'the action used more than 500 ms of CPU and was stopped';

describe('while (true) {}', () => {
  test('is stopped at the CPU budget: the run fails as kind timeout, naming the action', async () => {
    const pids = fixture.runtime.workerPids();
    const result = await fixture.run([
      action(handler('while (true) {}'), { name: 'spin' }),
      action(handler(`console.log('never runs');`), { name: 'after' }),
    ]);
    const failed = assertFailed(result, 'timeout', CPU_STOP);
    assert.equal(failed.action?.name, 'spin');
    assert.deepEqual(
      failed.actions.map((a) => [a.name, a.error?.kind]),
      [['spin', 'timeout']],
    );
    assert.deepEqual(failed.logs, []);
    // The in-worker watchdog stopped it (well before the wall-clock budget of 1500 ms)…
    assert.ok(failed.durationMs >= 500 && failed.durationMs < 1500, `took ${failed.durationMs} ms`);
    // …by disposing the tenant's isolate: the worker process itself was not killed.
    assert.deepEqual(fixture.runtime.workerPids(), pids);
  });

  test('is stopped the same way at the top level of the module', async () => {
    const result = await fixture.run(`while (true) {}\n${handler('')}`);
    assertFailed(result, 'timeout', CPU_STOP);
  });

  test('is stopped at the wall-clock deadline when the run budget is shorter than the CPU budget', async () => {
    const result = await fixture.run(handler('while (true) {}'), { budgetMs: 200 });
    const failed = assertFailed(result, 'timeout', 'the actions exceeded their time budget and were stopped');
    // Measured inside the worker, which receives what is left of the 200 ms after dispatch.
    assert.ok(failed.durationMs >= 150 && failed.durationMs < 500, `took ${failed.durationMs} ms`);
  });

  test("does not delay other tenants' runs started at the same moment", async () => {
    const tenants = Array.from({ length: 8 }, (_, i) => `tenant-other-${i}`);
    let loopDone = 0;
    const finished: number[] = [];
    const loop = fixture.run(handler('while (true) {}'), { tenantId: 'tenant-loop' }).then((result) => {
      loopDone = Date.now();
      return result;
    });
    const others = tenants.map((tenantId) =>
      fixture.run(plainAction(tenantId), { tenantId }).then((result) => {
        finished.push(Date.now());
        return result;
      }),
    );
    const [looped, ...results] = await Promise.all([loop, ...others]);
    assertFailed(looped, 'timeout', CPU_STOP);
    for (const [i, result] of results.entries()) assertCompletedFor(result, tenants[i]!);
    // They ran beside the loop (other isolates, other threads), not after it was stopped.
    assert.ok(
      finished.every((at) => at < loopDone),
      'every other run finished before the loop was stopped',
    );
  });

  test('the next run of the same tenant and of another tenant succeed', async () => {
    const result = await fixture.run(handler('while (true) {}'), { tenantId: 'tenant-a' });
    assertFailed(result, 'timeout', CPU_STOP);
    await assertServes(fixture, 'tenant-a');
    await assertServes(fixture, 'tenant-b');
  });
});
