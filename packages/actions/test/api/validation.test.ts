import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertRefused, recorded } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.validation.error', () => {
  test('records the code and message and denies the login; later actions do not run', async () => {
    const result = await fixture.run([
      action(handler(`api.validation.error('invalid_phone', 'The phone number is not valid');`), {
        name: ACTION,
      }),
      action(handler(`console.log('never');`), { name: 'later' }),
    ]);
    const [command] = recorded({
      type: 'validation.error',
      code: 'invalid_phone',
      message: 'The phone number is not valid',
    });
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(result.outcome === 'denied' && result.denial, command);
    assert.deepEqual(result.commands, [command]);
    assert.deepEqual(result.logs, []);
  });

  test('an empty code fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.validation.error('', 'x')`,
      'api.validation.error: errorCode must be a non-empty string (got an empty string)',
    );
  });

  test('a message that is not a string fails the action', async () => {
    await assertRefused(
      fixture,
      `api.validation.error('invalid_phone', 5)`,
      'api.validation.error: errorMessage must be a string (got a number)',
    );
  });
});
