import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import {
  ACTION,
  assertCompleted,
  assertRefused,
  assertThrew,
  recorded,
  runBody,
  runCode,
} from './support.ts';

const fixture = useRuntime({ workers: 1 });

/** The run paused on exactly this one command. */
function assertPausedOn(result: Awaited<ReturnType<typeof runBody>>, command: Record<string, unknown>) {
  assert.equal(result.outcome, 'completed');
  const [expected] = recorded(command);
  assert.deepEqual(result.outcome === 'completed' && result.pause, expected);
  assert.deepEqual(result.commands, [expected]);
}

describe('api.authentication.challengeWith', () => {
  test('records the factor and the additional factors, and pauses the pipeline', async () => {
    const result = await fixture.run([
      action(
        handler(
          `api.authentication.challengeWith({ type: 'otp' }, { additionalFactors: [{ type: 'email' }, { type: 'push-notification', options: { otpFallback: false } }] });`,
        ),
        { name: ACTION },
      ),
      action(handler(`api.idToken.setCustomClaim('https://example.com/late', 1);`), { name: 'later' }),
    ]);
    assertPausedOn(result, {
      type: 'authentication.challengeWith',
      factor: { type: 'otp' },
      additionalFactors: [{ type: 'email' }, { type: 'push-notification', options: { otpFallback: false } }],
    });
    assert.deepEqual(
      result.actions.map((a) => a.name),
      [ACTION],
    );
  });

  test('an unknown factor type fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.authentication.challengeWith({ type: 'sms' })`,
      'api.authentication.challengeWith: factor.type must be one of otp, recovery-code, email, phone, webauthn-roaming, webauthn-platform, push-notification (got "sms")',
    );
  });

  test('a second interaction in the same action fails it instead of overriding the first', async () => {
    const result = await runBody(
      fixture,
      `api.authentication.challengeWith({ type: 'otp' });
       api.authentication.challengeWithAny([{ type: 'email' }]);`,
    );
    assertThrew(
      result,
      'api.authentication.challengeWithAny: this action already called api.authentication.challengeWith; an action can start only one redirect, prompt, or MFA challenge or enrollment',
      3,
    );
  });
});

describe('api.authentication.challengeWithAny', () => {
  test('records the factors to choose from', async () => {
    const result = await runBody(
      fixture,
      `api.authentication.challengeWithAny([{ type: 'otp' }, { type: 'webauthn-platform' }]);`,
    );
    assertPausedOn(result, {
      type: 'authentication.challengeWithAny',
      factors: [{ type: 'otp' }, { type: 'webauthn-platform' }],
    });
  });

  test('an empty list fails the action', async () => {
    await assertRefused(
      fixture,
      `api.authentication.challengeWithAny([])`,
      'api.authentication.challengeWithAny: factors must be a non-empty array of factors (got an empty array)',
    );
  });
});

describe('api.authentication.enrollWith', () => {
  test('records the factor with its options', async () => {
    const result = await runBody(
      fixture,
      `api.authentication.enrollWith({ type: 'phone', options: { preferredMethod: 'sms' } }, { additionalFactors: [{ type: 'otp' }] });`,
    );
    assertPausedOn(result, {
      type: 'authentication.enrollWith',
      factor: { type: 'phone', options: { preferredMethod: 'sms' } },
      additionalFactors: [{ type: 'otp' }],
    });
  });

  test('an unknown phone delivery method fails the action', async () => {
    await assertRefused(
      fixture,
      `api.authentication.enrollWith({ type: 'phone', options: { preferredMethod: 'fax' } })`,
      'api.authentication.enrollWith: factor.options.preferredMethod must be one of sms, voice, both (got "fax")',
    );
  });
});

describe('api.authentication.enrollWithAny', () => {
  test('records the factors to choose from', async () => {
    const result = await runBody(
      fixture,
      `api.authentication.enrollWithAny([{ type: 'otp' }, { type: 'webauthn-roaming' }]);`,
    );
    assertPausedOn(result, {
      type: 'authentication.enrollWithAny',
      factors: [{ type: 'otp' }, { type: 'webauthn-roaming' }],
    });
  });

  test('a single factor instead of a list fails the action', async () => {
    await assertRefused(
      fixture,
      `api.authentication.enrollWithAny({ type: 'otp' })`,
      'api.authentication.enrollWithAny: factors must be a non-empty array of factors (got an object)',
    );
  });
});

describe('api.authentication.recordMethod', () => {
  const continuing = (body: string) => `
exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  ${body}
};`;

  test('in onContinuePostLogin, records the normalised method URL', async () => {
    const result = await runCode(
      fixture,
      continuing(`api.authentication.recordMethod('HTTPS://Methods.Example.com/face-id');`),
      { resume: { index: 0, state: 'st_record' } },
    );
    assertCompleted(
      result,
      recorded({ type: 'authentication.recordMethod', url: 'https://methods.example.com/face-id' }),
    );
  });

  test('in onExecutePostLogin it fails the action', async () => {
    await assertRefused(
      fixture,
      `api.authentication.recordMethod('https://methods.example.com/face-id')`,
      'api.authentication.recordMethod can only be called in onContinuePostLogin',
    );
  });

  test('a URL that is not http(s) fails the action', async () => {
    const result = await runCode(
      fixture,
      continuing(`api.authentication.recordMethod('ftp://methods.example.com/x');`),
      { resume: { index: 0, state: 'st_record' } },
    );
    assertThrew(
      result,
      'api.authentication.recordMethod: provider_url must be an http: or https: URL (got a "ftp:" URL)',
      4,
    );
  });
});

describe('api.authentication.setPrimaryUser', () => {
  test('records the user tokens will be issued for', async () => {
    const result = await runBody(fixture, `api.authentication.setPrimaryUser('auth0|primary-123');`);
    assertCompleted(result, recorded({ type: 'authentication.setPrimaryUser', userId: 'auth0|primary-123' }));
  });

  test('an empty id fails the action', async () => {
    await assertRefused(
      fixture,
      `api.authentication.setPrimaryUser('')`,
      'api.authentication.setPrimaryUser: primary_user_id must be a non-empty string (got an empty string)',
    );
  });

  test('a second call in the transaction fails the action', async () => {
    const result = await runBody(
      fixture,
      `api.authentication.setPrimaryUser('auth0|a');
       api.authentication.setPrimaryUser('auth0|b');`,
    );
    assertThrew(result, 'api.authentication.setPrimaryUser can be called only once per transaction', 3);
  });
});
