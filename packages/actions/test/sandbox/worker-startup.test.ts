import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestKv } from '@tessera/testing';
import { createActionsRuntime, defaultPostLoginEvent } from '../../src/index.ts';
import { action, handler } from '../runtime/helpers.ts';

// A worker process takes far longer to start (Node, isolated-vm, the sandbox code) than a short run
// budget. The first logins after boot wait for it; that wait is not the tenant code's time, so it must
// not turn into a timeout.
test('a run sent while the workers still start gets its whole budget once a worker is ready', async () => {
  const kv = await createTestKv();
  const runtime = createActionsRuntime({ workers: 1, timeoutMs: 400, kv: kv.kv });
  try {
    const started = Date.now();
    const result = await runtime.run({
      tenantId: 'tenant-startup',
      trigger: 'post-login',
      event: defaultPostLoginEvent(),
      actions: [
        action(
          handler(
            "await new Promise((resolve) => setTimeout(resolve, 250)); api.idToken.setCustomClaim('https://tessera.test/waited', true);",
          ),
        ),
      ],
    });
    assert.equal(result.outcome, 'completed', JSON.stringify(result).slice(0, 300));
    assert.ok(Date.now() - started > 250, 'the action ran its whole wait');
  } finally {
    await runtime.close();
    await kv.cleanup();
  }
});
