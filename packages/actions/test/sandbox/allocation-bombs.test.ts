import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../../src/index.ts';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { assertCompletedFor, assertFailed, assertServes, sleep } from './helpers.ts';

// docs/security.md#3: allocation bombs end in a memory limit or a worker kill; the server process
// (this test process) never dies, the next login succeeds, and other tenants' logins in flight complete.
// Runs retried after a worker dies keep their deadline (plus the time the fresh worker takes to
// start): 6 s leaves room for the retry of a 1.5 s run started before the kill, even on a loaded
// machine. The CPU budget (3 s) is far above what the bombs need to exhaust 32 MB, so the memory limit,
// not the CPU watchdog, is what stops them even on a slow or busy machine (GC under memory pressure
// burns CPU: at 500 ms the Map bomb sometimes hit the CPU limit first).
const fixture = useRuntime({ timeoutMs: 6000, cpuMs: 3000, memoryMb: 32, workers: 2 });

const BOMBS = {
  /** A 1e9-element array filled by one uninterruptible builtin: nothing short of killing the worker stops it. */
  fill: 'new Array(1e9).fill(0);',
  /** A Map's backing table doubles in one allocation: V8 runs out of heap before the isolate's limit can act. */
  mapTable: 'const keep = new Map(); for (let i = 0; ; i++) keep.set(i, { i, s: String(i).repeat(20) });',
  /** Typed arrays live outside the V8 heap; isolated-vm's allocator counts them against the same limit. */
  typedArrays: 'const keep = []; for (;;) keep.push(new Uint8Array(1 << 20));',
  /** Doubling a string hits V8's maximum string length long before any memory limit. */
  stringDoubling: `let s = 'x'; for (;;) s += s;`,
  /** A huge graph of arrays: the isolate's memory limit disposes it. */
  objectGraph: 'const keep = []; for (let i = 0; ; i++) keep.push(new Array(10000).fill(i));',
} as const;

/** Other tenants' runs that sleep `ms` then record their tenant id, started now. */
function othersInFlight(
  count: number,
  ms: number,
  prefix: string,
): Array<Promise<[string, RunResult, number]>> {
  return Array.from({ length: count }, (_, i) => {
    const tenantId = `${prefix}-${i}`;
    const started = Date.now();
    return fixture
      .run(
        handler(
          `await new Promise((resolve) => setTimeout(resolve, ${ms})); api.idToken.setCustomClaim('https://tessera.test/tenant', '${tenantId}');`,
        ),
        { tenantId },
      )
      .then((result) => [tenantId, result, Date.now() - started]);
  });
}

describe('allocation bombs', () => {
  test('new Array(1e9).fill(0) hangs in a builtin: the server kills the worker and the run fails as timeout', async () => {
    const pids = fixture.runtime.workerPids();
    const bomb = fixture.run(handler(BOMBS.fill), { tenantId: 'tenant-bomb', budgetMs: 1000 });
    // The server kills the worker at the bomb's deadline + 1.5 s grace (t ≈ 2.5 s). These runs start at
    // t ≈ 1.5 s and would end at t ≈ 3 s: those on the bomb's worker are in flight when it dies.
    await sleep(1500);
    const others = othersInFlight(6, 1500, 'tenant-fill');
    const failed = assertFailed(
      await bomb,
      'timeout',
      'the actions exceeded their time budget and the sandbox worker was stopped',
    );
    assert.equal(failed.action, undefined);
    const after = fixture.runtime.workerPids();
    assert.equal(after.length, 2);
    assert.equal(after.filter((pid) => pids.includes(pid)).length, 1, 'exactly one worker was replaced');
    const results = await Promise.all(others);
    for (const [tenantId, result] of results) assertCompletedFor(result, tenantId);
    // Those on the killed worker were retried from the start on a fresh one: they took ~1 s longer.
    assert.ok(
      results.some(([, , ms]) => ms > 2200),
      `some runs were retried: ${results.map(([, , ms]) => ms)}`,
    );
    await assertServes(fixture, 'tenant-bomb');
    await assertServes(fixture, 'tenant-after-fill');
  });

  test('a Map growing past the heap aborts its worker: the run fails as memory, other tenants in flight complete', async () => {
    const pids = fixture.runtime.workerPids();
    const others = othersInFlight(10, 700, 'tenant-map');
    const failed = assertFailed(
      await fixture.run(handler(BOMBS.mapTable), { tenantId: 'tenant-bomb' }),
      'memory',
      'the actions exhausted the sandbox memory; the sandbox worker was replaced',
    );
    assert.equal(failed.action, undefined);
    const results = await Promise.all(others);
    for (const [tenantId, result] of results) assertCompletedFor(result, tenantId);
    const after = fixture.runtime.workerPids();
    assert.equal(after.length, 2);
    // Only the worker that ran the bomb was replaced: the bomb was not retried on a second worker.
    assert.equal(after.filter((pid) => pids.includes(pid)).length, 1, `${pids} → ${after}`);
    await assertServes(fixture, 'tenant-bomb');
  });

  test('growing typed arrays end in a RangeError inside the isolate (runtime); the worker is untouched', async () => {
    const pids = fixture.runtime.workerPids();
    assertFailed(
      await fixture.run(handler(BOMBS.typedArrays), { tenantId: 'tenant-bomb' }),
      'runtime',
      /^RangeError: Array buffer allocation failed \(action\.js:2:\d+\)$/,
    );
    assert.deepEqual(fixture.runtime.workerPids(), pids);
    await assertServes(fixture, 'tenant-bomb');
  });

  test('string doubling ends in a RangeError inside the isolate (runtime); the worker is untouched', async () => {
    const pids = fixture.runtime.workerPids();
    assertFailed(
      await fixture.run(handler(BOMBS.stringDoubling), { tenantId: 'tenant-bomb' }),
      'runtime',
      /^RangeError: Invalid string length \(action\.js:2:\d+\)$/,
    );
    assert.deepEqual(fixture.runtime.workerPids(), pids);
    await assertServes(fixture, 'tenant-bomb');
  });

  test('a huge object graph hits the isolate memory limit (memory); other tenants at the same moment complete', async () => {
    const pids = fixture.runtime.workerPids();
    const others = othersInFlight(6, 50, 'tenant-graph');
    const failed = assertFailed(
      await fixture.run([action(handler(BOMBS.objectGraph), { name: 'graph' })], { tenantId: 'tenant-bomb' }),
      'memory',
      'the action exceeded its memory limit and was stopped',
    );
    assert.equal(failed.action?.name, 'graph');
    for (const [tenantId, result] of await Promise.all(others)) assertCompletedFor(result, tenantId);
    assert.deepEqual(fixture.runtime.workerPids(), pids);
    await assertServes(fixture, 'tenant-bomb');
    await assertServes(fixture, 'tenant-after-graph');
  });

  test('this process survived every bomb', () => {
    assert.ok(process.memoryUsage().heapUsed < 512 * 1024 * 1024);
    assert.equal(fixture.runtime.workerPids().length, 2);
  });
});
