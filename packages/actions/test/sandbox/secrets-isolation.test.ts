import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, HOSTILE_BUDGETS, lastJson, messages } from './helpers.ts';

// docs/security.md#11: an action sees only its own secrets (a fresh context per action, so no
// global can carry one to the next action), and a secret never leaves the worker in clear: in logs,
// commands, failure messages or anywhere else in the result it reads `[REDACTED]`.
const fixture = useRuntime(HOSTILE_BUDGETS);

const S1 = 'sk_live_first_0123456789';
const S2 = 'second-secret-value-98765';

describe('secrets', () => {
  test('an action sees only its own secrets, not an earlier action’s, even through globals', async () => {
    const result = await fixture.run([
      action(
        handler(`
          globalThis.stash = event.secrets;
          global.stashValue = event.secrets.S1;
          Object.prototype.stashed = event.secrets.S1;
          console.log(Object.keys(event.secrets).join());`),
        { name: 'first', secrets: { S1 } },
      ),
      action(
        handler(`
          console.log(JSON.stringify({
            keys: Object.keys(event.secrets),
            s1: typeof event.secrets.S1,
            stash: typeof globalThis.stash,
            stashValue: typeof globalThis.stashValue,
            inherited: typeof ({}).stashed,
          }));`),
        { name: 'second', secrets: { S2 } },
      ),
    ]);
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(messages(result)[0], 'S1');
    assert.deepEqual(lastJson(result), {
      keys: ['S2'],
      s1: 'undefined',
      stash: 'undefined',
      stashValue: 'undefined',
      inherited: 'undefined',
    });
  });

  test('a secret logged, put in a claim, a metadata value, a key or a deny reason reads [REDACTED]', async () => {
    const result = await fixture.run([
      action(
        handler(`
          const { S1 } = event.secrets;
          console.log('the key is', S1);
          console.log({ nested: { key: S1 } });
          api.idToken.setCustomClaim('https://t.example/key', S1);
          api.idToken.setCustomClaim('https://t.example/' + S1, 1);
          api.user.setAppMetadata('auth', 'Bearer ' + S1);`),
        { name: 'first', secrets: { S1 } },
      ),
      action(
        handler(`
          console.log('earlier secret in metadata:', event.user.app_metadata.auth);
          api.access.deny('refused with ' + event.secrets.S2);`),
        { name: 'second', secrets: { S2 } },
      ),
    ]);
    assert.equal(result.outcome, 'denied', JSON.stringify(result));
    const json = JSON.stringify(result);
    assert.ok(!json.includes(S1) && !json.includes(S2), json);
    assert.deepEqual(messages(result), [
      'the key is [REDACTED]',
      "{ nested: { key: '[REDACTED]' } }",
      'earlier secret in metadata: Bearer [REDACTED]',
    ]);
    assert.deepEqual(
      result.commands.map((c) => ({ ...c })),
      [
        {
          action: 'first',
          type: 'idToken.setCustomClaim',
          key: 'https://t.example/key',
          value: '[REDACTED]',
          // A value that is exactly a secret travels as a reference the login layer resolves.
          secretRef: { actionId: result.actions[0]?.id, name: 'S1' },
        },
        { action: 'first', type: 'idToken.setCustomClaim', key: 'https://t.example/[REDACTED]', value: 1 },
        { action: 'first', type: 'user.setAppMetadata', key: 'auth', value: 'Bearer [REDACTED]' },
        { action: 'second', type: 'access.deny', reason: 'refused with [REDACTED]' },
      ],
    );
  });

  test('a secret in a thrown error reads [REDACTED] in the failure message and the action report', async () => {
    const result = await fixture.run([
      action(handler("throw new Error('cannot call the API with ' + event.secrets.S2);"), {
        name: 'thrower',
        secrets: { S2 },
      }),
    ]);
    const failed = assertFailed(
      result,
      'runtime',
      /^cannot call the API with \[REDACTED\] \(action\.js:2:\d+\)$/,
    );
    assert.equal(failed.actions[0]?.error?.message, failed.message);
    assert.ok(!JSON.stringify(result).includes(S2));
  });

  test('another tenant, running at the same moment, never sees them', async () => {
    const [owner, other] = await Promise.all([
      fixture.run(
        [
          action(handler('globalThis.k = event.secrets.S1; console.log(event.secrets.S1);'), {
            secrets: { S1 },
          }),
        ],
        {
          tenantId: 'tenant-owner',
        },
      ),
      fixture.run(
        handler(`
          const found = [];
          for (const name of Object.getOwnPropertyNames(globalThis)) {
            try { if (typeof globalThis[name] === 'string') found.push(globalThis[name]); } catch {}
          }
          console.log(JSON.stringify({ secrets: event.secrets, found, event }));`),
        { tenantId: 'tenant-other' },
      ),
    ]);
    assert.deepEqual(messages(owner), ['[REDACTED]']);
    assert.equal(other.outcome, 'completed');
    assert.deepEqual(lastJson<{ secrets: unknown }>(other).secrets, {});
    assert.ok(!JSON.stringify(other).includes(S1));
  });
});

describe('secrets written in escaped forms', () => {
  test('a multi-line secret with quotes and backslashes leaves no trace through console.log, JSON or a URL', async () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC'quoted'\\back\nZ2V0IHlvdXIgb3duIGtleSwgdGhpcyBvbmUgaXMgZmFrZQ==\n-----END PRIVATE KEY-----\n";
    const result = await fixture.run(
      [
        action(
          handler(`
            console.log(event.secrets);
            console.log(event);
            console.log(JSON.stringify(event.secrets));
            api.user.setAppMetadata('link', 'https://x.example/?k=' + encodeURIComponent(event.secrets.PEM));`),
          { secrets: { PEM: pem } },
        ),
      ],
      { tenantId: 'tenant-escaped' },
    );
    assert.equal(result.outcome, 'completed');
    const text = JSON.stringify(result);
    for (const line of pem.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'))) {
      assert.ok(
        !text.includes(line.replace(/\\/g, '\\\\')) && !text.includes(line),
        `a line of the secret leaked: ${line.slice(0, 12)}…`,
      );
    }
    assert.ok(!text.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), 'a piece of the key leaked');
    assert.ok(!text.includes(encodeURIComponent(pem).slice(0, 40)), 'the percent-encoded key leaked');
  });
});
