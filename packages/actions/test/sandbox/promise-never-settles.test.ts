import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, assertServes, HOSTILE_BUDGETS } from './helpers.ts';

// docs/security.md#2: isolated-vm's own timeout does not cover a promise wait, and the wait uses no
// CPU, so only the host watchdog's wall clock can stop it (docs/architecture.md#known-traps).
const fixture = useRuntime(HOSTILE_BUDGETS);
const DEADLINE = 'the actions exceeded their time budget and were stopped';

describe('await new Promise(() => {})', () => {
  test('is stopped at the run deadline by the in-worker watchdog, not by killing the worker', async () => {
    const pids = fixture.runtime.workerPids();
    const result = await fixture.run([
      action(handler('await new Promise(() => {});'), { name: 'hang' }),
      action(handler(`console.log('never runs');`), { name: 'after' }),
    ]);
    const failed = assertFailed(result, 'timeout', DEADLINE);
    assert.equal(failed.action?.name, 'hang');
    assert.deepEqual(
      failed.actions.map((a) => a.name),
      ['hang'],
    );
    // Answered at the 1500 ms deadline, before the server's kill (deadline + 1.5 s grace) was needed.
    // Measured inside the worker, which gets what is left of the budget after dispatch (a few ms less).
    assert.ok(failed.durationMs >= 1400 && failed.durationMs < 2500, `took ${failed.durationMs} ms`);
    assert.deepEqual(fixture.runtime.workerPids(), pids);
  });

  test('a wait on a host timer far beyond the budget is stopped the same way', async () => {
    const result = await fixture.run(
      handler('await new Promise((resolve) => setTimeout(resolve, 600_000));'),
      {
        budgetMs: 300,
      },
    );
    const failed = assertFailed(result, 'timeout', DEADLINE);
    assert.ok(failed.durationMs >= 250 && failed.durationMs < 1000, `took ${failed.durationMs} ms`);
  });

  test('the next run of the same tenant and of another tenant succeed', async () => {
    const result = await fixture.run(handler('await new Promise(() => {});'), {
      tenantId: 'tenant-a',
      budgetMs: 300,
    });
    assertFailed(result, 'timeout', DEADLINE);
    await assertServes(fixture, 'tenant-a');
    await assertServes(fixture, 'tenant-b');
  });
});
