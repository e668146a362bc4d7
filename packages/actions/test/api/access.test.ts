import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertRefused, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.access.deny', () => {
  test('records the denial with its reason and denies the login after the action', async () => {
    const result = await runBody(fixture, `api.access.deny('Access from your country is not allowed');`);
    assert.equal(result.outcome, 'denied');
    const denial = recorded({ type: 'access.deny', reason: 'Access from your country is not allowed' });
    assert.deepEqual(result.outcome === 'denied' && result.denial, denial[0]);
    assert.deepEqual(result.commands, denial);
  });

  test('an empty reason is accepted, as in Auth0 examples', async () => {
    const result = await runBody(fixture, `api.access.deny('');`);
    assert.deepEqual(
      result.outcome === 'denied' && result.denial,
      recorded({ type: 'access.deny', reason: '' })[0],
    );
  });

  test('no later action runs once one denies', async () => {
    const result = await fixture.run([
      action(handler(`api.access.deny('no');`), { name: ACTION }),
      action(handler(`api.idToken.setCustomClaim('https://example.com/late', 1);`), { name: 'later' }),
    ]);
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(
      result.actions.map((a) => a.name),
      [ACTION],
    );
    assert.deepEqual(result.commands, recorded({ type: 'access.deny', reason: 'no' }));
  });

  test('a reason that is not a string fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.access.deny(403)`,
      'api.access.deny: reason must be a string (got a number)',
    );
    await assertRefused(
      fixture,
      `api.access.deny({ reason: 'x' })`,
      'api.access.deny: reason must be a string (got an object)',
    );
  });

  test('a reason over 4 KB is a limit: the run fails even when the tenant catches the error', async () => {
    const result = await runBody(fixture, `try { api.access.deny('x'.repeat(5000)); } catch {}`);
    assert.equal(result.outcome, 'failed');
    assert.equal(result.outcome === 'failed' && result.kind, 'limit');
    assert.equal(
      result.outcome === 'failed' && result.message,
      'api.access.deny: reason is 5000 bytes; the limit is 4096 bytes',
    );
    assert.deepEqual(result.commands, []);
  });

  test('deny returns api, so calls chain', async () => {
    const result = await runBody(
      fixture,
      `const returned = api.access.deny('chained'); console.log(returned === api);`,
    );
    assert.deepEqual(
      result.logs.map((l) => l.message),
      ['true'],
    );
  });
});
