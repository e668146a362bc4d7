import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command } from '../../src/index.ts';
import { assertCompleted } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { commandsOf, runScript } from './load.ts';

const fixture = useRuntime({ workers: 1 });

/** The run paused on exactly `command` (MFA challenges and enrollments pause the pipeline). */
function assertPausedOn(result: Awaited<ReturnType<typeof runScript>>, command: Command | undefined) {
  assert.equal(result.outcome, 'completed');
  assert.deepEqual(result.outcome === 'completed' && result.pause, command);
  assert.deepEqual(result.commands, [command]);
}

describe('mfa-by-app-metadata.js', () => {
  const name = 'mfa-by-app-metadata';
  const by = commandsOf(name);

  test('challenges a flagged user with their authenticator app', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.app_metadata.use_mfa = true;
        event.user.enrolledFactors = [{ type: 'otp' }];
      },
    });
    assertPausedOn(
      result,
      by({ type: 'authentication.challengeWith', factor: { type: 'otp' }, additionalFactors: [] })[0],
    );
  });

  test('enables any factor for a flagged user without one', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.app_metadata.use_mfa = true;
      },
    });
    assertCompleted(result, by({ type: 'multifactor.enable', provider: 'any', allowRememberBrowser: false }));
  });

  test('leaves other users alone', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('mfa-for-client.js', () => {
  const name = 'mfa-for-client';
  test('requires MFA for the admin dashboard, remembering the browser', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.client.client_id = 'admin-dashboard-client-id';
      },
    });
    assertCompleted(
      result,
      commandsOf(name)({ type: 'multifactor.enable', provider: 'any', allowRememberBrowser: true }),
    );
  });

  test('not for other applications', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('enroll-mfa.js', () => {
  const name = 'enroll-mfa';
  const by = commandsOf(name);

  test('enrolls a user who has no second factor (event.user.multifactor is empty)', async () => {
    const result = await runScript(fixture, name);
    assertPausedOn(
      result,
      by({
        type: 'authentication.enrollWith',
        factor: { type: 'otp' },
        additionalFactors: [{ type: 'webauthn-roaming' }],
      })[0],
    );
  });

  test('challenges an enrolled user instead', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.multifactor = ['guardian'];
      },
    });
    assertPausedOn(
      result,
      by({
        type: 'authentication.challengeWithAny',
        factors: [{ type: 'otp' }, { type: 'webauthn-roaming' }],
      })[0],
    );
  });
});
