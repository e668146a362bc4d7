import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, messages, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.rules.wasExecuted', () => {
  test('is false for any rule id: Tessera has no legacy Rules, and nothing is recorded', async () => {
    const result = await runBody(
      fixture,
      `console.log(api.rules.wasExecuted('rul_x'), api.rules.wasExecuted(), typeof api.rules.wasExecuted(42));`,
    );
    assertCompleted(result, []);
    assert.deepEqual(messages(result), ['false false boolean']);
  });

  test('lets a migrated action skip work a rule would have done', async () => {
    const result = await runBody(
      fixture,
      `if (!api.rules.wasExecuted('rul_add_roles')) api.idToken.setCustomClaim('https://example.com/migrated', true);`,
    );
    assert.equal(result.commands.length, 1);
  });
});
