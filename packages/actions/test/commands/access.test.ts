import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, error, once, recorderFor } from './helpers.ts';

describe('api.access.deny', () => {
  it('records the reason', () => {
    const { result, commands } = once('access.deny', ['Only employees may sign in']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'access.deny', reason: 'Only employees may sign in' },
    ]);
  });

  it('accepts an empty reason, as Auth0 examples use', () => {
    assert.deepEqual(once('access.deny', ['']).commands, [
      { action: 'first', type: 'access.deny', reason: '' },
    ]);
  });

  it('refuses a reason that is not a string', () => {
    assert.deepEqual(
      once('access.deny', [42]).result,
      error('api.access.deny: reason must be a string (got a number)'),
    );
    assert.deepEqual(
      once('access.deny', []).result,
      error('api.access.deny: reason must be a string (got undefined)'),
    );
    assert.deepEqual(
      once('access.deny', [{}]).result,
      error('api.access.deny: reason must be a string (got an object)'),
    );
  });

  it('fails the run on a reason over 4 KB, saying its size', () => {
    const recorder = recorderFor();
    const message = 'api.access.deny: reason is 5000 bytes; the limit is 4096 bytes';
    assert.deepEqual(call(recorder, 'access.deny', 'é'.repeat(2500)), error(message, true));
    assert.equal(recorder.limitExceeded, message);
    assert.deepEqual(recorder.commands, []);
  });

  it('fails the run on a 1 MB reason before parsing it, and the failure is sticky', () => {
    const recorder = recorderFor();
    const message = 'api.access.deny: arguments are 1048580 bytes; the limit is 262144 bytes per call';
    assert.deepEqual(call(recorder, 'access.deny', 'x'.repeat(1024 * 1024)), error(message, true));
    assert.equal(recorder.limitExceeded, message);
    // Catching the error does not help: every later call fails the same way.
    assert.deepEqual(call(recorder, 'access.deny', 'short'), error(message, true));
    assert.deepEqual(call(recorder, 'idToken.setCustomClaim', 'a', 1), error(message, true));
    assert.deepEqual(recorder.commands, []);
  });
});

describe('api.validation.error', () => {
  it('records the code and message', () => {
    const { result, commands } = once('validation.error', ['invalid_email', 'Use your work address']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'validation.error', code: 'invalid_email', message: 'Use your work address' },
    ]);
  });

  it('refuses a missing, empty or non-string code', () => {
    assert.deepEqual(
      once('validation.error', [1, 'm']).result,
      error('api.validation.error: errorCode must be a non-empty string (got a number)'),
    );
    assert.deepEqual(
      once('validation.error', ['', 'm']).result,
      error('api.validation.error: errorCode must be a non-empty string (got an empty string)'),
    );
  });

  it('refuses a non-string message', () => {
    assert.deepEqual(
      once('validation.error', ['code']).result,
      error('api.validation.error: errorMessage must be a string (got undefined)'),
    );
    assert.deepEqual(
      once('validation.error', ['code', null]).result,
      error('api.validation.error: errorMessage must be a string (got null)'),
    );
  });

  it('fails the run on a code or message over 4 KB', () => {
    assert.deepEqual(
      once('validation.error', ['c'.repeat(4097), 'm']).result,
      error('api.validation.error: errorCode is 4097 bytes; the limit is 4096 bytes', true),
    );
    assert.deepEqual(
      once('validation.error', ['code', 'm'.repeat(4097)]).result,
      error('api.validation.error: errorMessage is 4097 bytes; the limit is 4096 bytes', true),
    );
  });
});
