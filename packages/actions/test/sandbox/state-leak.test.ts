import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { lastJson } from './helpers.ts';

// docs/security.md#10: every execution gets a fresh context, so nothing one run leaves in its realm
// (globals, rewritten built-ins) is seen by the tenant's next run, by another action, or by another tenant,
// even when hundreds of runs of many tenants are interleaved in the same workers and isolates.
const fixture = useRuntime({ timeoutMs: 20_000, cpuMs: 5000, memoryMb: 32, workers: 2 });

const LEAVE_STATE = handler(`
  globalThis.leak = 'a';
  global.leakViaGlobal = 'a';
  var leakViaVar = 'a';
  Array.prototype.leak = 'a';
  Object.prototype.leak = 'a';
  Math.random = () => 4;
  JSON.leak = 'a';
  console.leak = 'a';
  require('crypto').leak = 'a';
  Promise.prototype.then = function () { return 'a'; };`);

const LOOK_FOR_STATE = handler(`
  console.log(JSON.stringify({
    global: typeof globalThis.leak,
    viaGlobal: typeof globalThis.leakViaGlobal,
    viaVar: typeof leakViaVar,
    array: typeof [].leak,
    object: typeof ({}).leak,
    random: Math.random() !== 4,
    json: typeof JSON.leak,
    console: typeof console.leak,
    module: typeof require('crypto').leak,
    promiseThen: /\\[native code\\]/.test(String(Promise.prototype.then)),
  }));`);

const CLEAN = {
  global: 'undefined',
  viaGlobal: 'undefined',
  viaVar: 'undefined',
  array: 'undefined',
  object: 'undefined',
  random: true,
  json: 'undefined',
  console: 'undefined',
  module: 'undefined',
  promiseThen: true,
};

/** Each run records its tenant (in a global, re-checked after random awaits) and its own run number. */
const tenantScript = (tenantId: string) =>
  handler(`
    const mine = ${JSON.stringify(tenantId)};
    if (globalThis.tenant !== undefined) throw new Error('found a global of another run: ' + globalThis.tenant);
    globalThis.tenant = mine;
    globalThis.run = event.user.app_metadata.run;
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 8)));
      if (globalThis.tenant !== mine) throw new Error('cross-talk: ' + globalThis.tenant);
    }
    api.idToken.setCustomClaim('https://tessera.test/tenant', globalThis.tenant);
    api.idToken.setCustomClaim('https://tessera.test/run', globalThis.run);
    console.log(globalThis.tenant, globalThis.run);`);

describe('state left behind by a run', () => {
  test("is seen neither by the tenant's next run nor by another tenant", async () => {
    const left = await fixture.run(LEAVE_STATE, { tenantId: 'tenant-a' });
    assert.equal(left.outcome, 'completed');
    const [nextOfA, ofB] = await Promise.all([
      fixture.run(LOOK_FOR_STATE, { tenantId: 'tenant-a' }),
      fixture.run(LOOK_FOR_STATE, { tenantId: 'tenant-b' }),
    ]);
    assert.deepEqual(lastJson(nextOfA), CLEAN);
    assert.deepEqual(lastJson(ofB), CLEAN);
  });

  test('is not seen by the next action of the same run', async () => {
    const result = await fixture.run([
      action(LEAVE_STATE, { name: 'first' }),
      action(LOOK_FOR_STATE, { name: 'second' }),
    ]);
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(lastJson(result), CLEAN);
  });

  test('500 concurrent runs of 20 tenants each see only their own tenant and run', async () => {
    const tenants = Array.from({ length: 20 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
    const actions = new Map(tenants.map((tenantId) => [tenantId, action(tenantScript(tenantId))]));
    const runs = Array.from({ length: 500 }, (_, run) => {
      const tenantId = tenants[run % tenants.length]!;
      return fixture
        .run([actions.get(tenantId)!], {
          tenantId,
          patch: (event) => {
            event.user.app_metadata = { run };
          },
        })
        .then((result) => ({ tenantId, run, result }));
    });
    const results = await Promise.all(runs);
    for (const { tenantId, run, result } of results) {
      assert.equal(
        result.outcome,
        'completed',
        `${tenantId} #${run}: ${JSON.stringify(result).slice(0, 400)}`,
      );
      assert.deepEqual(
        result.commands.map((c) => ('value' in c ? c.value : undefined)),
        [tenantId, run],
      );
      assert.deepEqual(
        result.logs.map((l) => l.message),
        [`${tenantId} ${run}`],
      );
    }
  });
});
