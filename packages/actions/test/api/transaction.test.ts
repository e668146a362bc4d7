import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, assertRefused, messages, recorded, runBody, runCode } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.transaction.setMetadata', () => {
  test('records the change and updates event.transaction.metadata at once', async () => {
    const result = await runBody(
      fixture,
      `api.transaction.setMetadata('risk', 'low').transaction.setMetadata('attempts', 2);
       console.log(JSON.stringify(event.transaction.metadata));`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'transaction.setMetadata', key: 'risk', value: 'low' },
        { type: 'transaction.setMetadata', key: 'attempts', value: 2 },
      ),
    );
    assert.deepEqual(messages(result), ['{"risk":"low","attempts":2}']);
  });

  test('null removes the key', async () => {
    const result = await runBody(
      fixture,
      `api.transaction.setMetadata('risk', 'low');
       api.transaction.setMetadata('risk', null);
       console.log(JSON.stringify(event.transaction.metadata));`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'transaction.setMetadata', key: 'risk', value: 'low' },
        { type: 'transaction.setMetadata', key: 'risk', value: null },
      ),
    );
    assert.deepEqual(messages(result), ['{}']);
  });

  test('on resume the action sees whatever metadata the event carries', async () => {
    const result = await runCode(
      fixture,
      `exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  console.log(JSON.stringify(event.transaction.metadata));
};`,
      {
        resume: { index: 0, state: 'st_tx' },
        patch: (event) => {
          event.transaction.metadata = { step: 'consent', attempts: 1 };
        },
      },
    );
    assert.deepEqual(messages(result), ['{"step":"consent","attempts":1}']);
  });

  test('an empty key fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.transaction.setMetadata('', 'x')`,
      'api.transaction.setMetadata: key must be a non-empty string (got an empty string)',
    );
  });
});
