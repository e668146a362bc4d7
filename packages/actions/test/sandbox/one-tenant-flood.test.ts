import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';

// One worker, a small heap: every run of the tenant lands in the same isolate.
const fixture = useRuntime({ workers: 1, memoryMb: 16, timeoutMs: 20_000 });

describe('one tenant flooding its isolate', () => {
  test('200 runs at once all complete: executions beyond the isolate slots wait instead of exhausting its heap', async () => {
    const code = action(
      handler(
        `await new Promise((r) => setTimeout(r, 5)); api.idToken.setCustomClaim('https://t/n', event.user.user_id);`,
      ),
    );
    const results = await Promise.all(
      Array.from({ length: 200 }, () => fixture.run([code], { tenantId: 'tenant-flood' })),
    );
    const outcomes = results.map((r) => (r.outcome === 'failed' ? `${r.kind}: ${r.message}` : r.outcome));
    assert.deepEqual([...new Set(outcomes)], ['completed']);
  });
});
