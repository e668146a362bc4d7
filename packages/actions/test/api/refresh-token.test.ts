import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PostLoginEvent } from '../../src/index.ts';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertCompleted, assertRefused, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

const refreshing = (event: PostLoginEvent) => {
  event.transaction.protocol = 'oauth2-refresh-token';
};
/** 2030-01-01T00:00:00Z in ms: Auth0 takes refresh-token expiries in ms since the epoch. */
const AT = 1_893_456_000_000;

describe('api.refreshToken.revoke', () => {
  test('on a refresh-token exchange, records the revocation and denies it; later actions do not run', async () => {
    const result = await fixture.run(
      [
        action(handler(`api.refreshToken.revoke('The user is blocked');`), { name: ACTION }),
        action(handler(`console.log('never');`), { name: 'later' }),
      ],
      { patch: refreshing },
    );
    const [command] = recorded({ type: 'refreshToken.revoke', reason: 'The user is blocked' });
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(result.outcome === 'denied' && result.denial, command);
    assert.deepEqual(result.commands, [command]);
    assert.equal(result.actions.length, 1);
  });

  test('during an interactive login it fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.refreshToken.revoke('blocked')`,
      'api.refreshToken.revoke can only be used when event.transaction.protocol is "oauth2-refresh-token" (it is "oidc-basic-profile")',
    );
  });

  test('a reason that is not a string fails the action', async () => {
    await assertRefused(
      fixture,
      `api.refreshToken.revoke()`,
      'api.refreshToken.revoke: reason must be a string (got undefined)',
      { patch: refreshing },
    );
  });
});

describe('api.refreshToken.setExpiresAt and setIdleExpiresAt', () => {
  test('record the expiries in ms since the epoch', async () => {
    const result = await runBody(
      fixture,
      `api.refreshToken.setExpiresAt(${AT}).refreshToken.setIdleExpiresAt(${AT - 1000});`,
      { patch: refreshing },
    );
    assertCompleted(
      result,
      recorded(
        { type: 'refreshToken.setExpiresAt', at: AT },
        { type: 'refreshToken.setIdleExpiresAt', at: AT - 1000 },
      ),
    );
  });

  test('seconds instead of milliseconds fail the action with the fix in the message', async () => {
    await assertRefused(
      fixture,
      `api.refreshToken.setExpiresAt(1893456000)`,
      'api.refreshToken.setExpiresAt: absolute looks like seconds (1893456000); pass milliseconds since the Unix epoch, e.g. Date.now() + 3600 * 1000',
    );
  });

  test('a value that is not a number fails the action', async () => {
    await assertRefused(
      fixture,
      `api.refreshToken.setIdleExpiresAt('tomorrow')`,
      'api.refreshToken.setIdleExpiresAt: inactivity must be a positive integer of milliseconds since the Unix epoch (got a string)',
    );
  });
});
