import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, assertServes, HOSTILE_BUDGETS } from './helpers.ts';

// docs/security.md#2: `for (;;) await null` never returns to the host between its steps, and each
// step is a fresh microtask that isolated-vm's timeout does not see; the CPU watchdog stops it.
const fixture = useRuntime(HOSTILE_BUDGETS);
const CPU_STOP = 'the action used more than 500 ms of CPU and was stopped';

describe('for (;;) await null', () => {
  test('is stopped at the CPU budget; the worker keeps serving', async () => {
    const pids = fixture.runtime.workerPids();
    const result = await fixture.run(handler('for (;;) await null;'));
    const failed = assertFailed(result, 'timeout', CPU_STOP);
    assert.ok(failed.durationMs >= 500 && failed.durationMs < 1500, `took ${failed.durationMs} ms`);
    assert.deepEqual(fixture.runtime.workerPids(), pids);
  });

  test('a self-scheduling microtask chain (queueMicrotask, then) is stopped the same way', async () => {
    const viaQueue = await fixture.run(
      handler('const spin = () => queueMicrotask(spin); spin(); await new Promise(() => {});'),
    );
    assertFailed(viaQueue, 'timeout', CPU_STOP);
    const viaThen = await fixture.run(
      // A block body: returning the promise would chain them all and make this a memory bomb instead.
      handler('const spin = () => { Promise.resolve().then(spin); }; spin(); await new Promise(() => {});'),
    );
    assertFailed(viaThen, 'timeout', CPU_STOP);
  });

  test('the next run of the same tenant and of another tenant succeed', async () => {
    assertFailed(
      await fixture.run(handler('for (;;) await null;'), { tenantId: 'tenant-a' }),
      'timeout',
      CPU_STOP,
    );
    await assertServes(fixture, 'tenant-a');
    await assertServes(fixture, 'tenant-b');
  });
});
