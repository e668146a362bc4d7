import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { error, once, recorderFor } from './helpers.ts';

for (const type of ['user.setAppMetadata', 'user.setUserMetadata', 'transaction.setMetadata']) {
  describe(`api.${type}`, () => {
    it('records any JSON value', () => {
      const { result, commands } = once(type, ['plan', { tier: 'gold', seats: [1, 2] }]);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [
        { action: 'first', type, key: 'plan', value: { tier: 'gold', seats: [1, 2] } },
      ]);
    });

    it('records null, and undefined as null: both remove the key', () => {
      assert.deepEqual(once(type, ['plan', null]).commands, [
        { action: 'first', type, key: 'plan', value: null },
      ]);
      assert.deepEqual(once(type, ['plan', undefined]).commands, [
        { action: 'first', type, key: 'plan', value: null },
      ]);
    });

    it('refuses a key that is not a non-empty string', () => {
      assert.deepEqual(
        once(type, [1, 'v']).result,
        error(`api.${type}: key must be a non-empty string (got a number)`),
      );
      assert.deepEqual(
        once(type, ['', 'v']).result,
        error(`api.${type}: key must be a non-empty string (got an empty string)`),
      );
    });

    it('refuses reserved keys, as the key and inside the value', () => {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        assert.deepEqual(
          once(type, [key, { polluted: true }]).result,
          error(`api.${type}: key "${key}" is a reserved JavaScript property name and cannot be used`),
        );
      }
      const nested = '["plan",{"a":{"__proto__":{"polluted":true}}}]';
      const { result, commands } = recordRaw(type, nested);
      assert.deepEqual(
        result,
        error(
          `api.${type}: arguments contain the reserved key "__proto__" at args[1].a; __proto__, constructor and prototype cannot be used as keys`,
        ),
      );
      assert.deepEqual(commands, []);
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    });
  });
}

/** Bypasses the stub: a tenant can hand the host any JSON text it likes. */
function recordRaw(method: string, json: string) {
  const recorder = recorderFor();
  const result = recorder.record(method, json, 0);
  return { result, commands: recorder.commands };
}
