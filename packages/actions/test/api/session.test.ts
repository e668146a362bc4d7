import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, assertRefused, assertThrew, messages, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

/** 2030-01-01T00:00:00Z in ms. */
const AT = 1_893_456_000_000;

describe('api.session.revoke', () => {
  test('records the revocation and denies the login', async () => {
    const result = await runBody(
      fixture,
      `api.session.revoke('Suspicious activity', { preserveRefreshTokens: true });`,
    );
    const [command] = recorded({
      type: 'session.revoke',
      reason: 'Suspicious activity',
      preserveRefreshTokens: true,
    });
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(result.outcome === 'denied' && result.denial, command);
  });

  test('refresh tokens are revoked too unless preserved', async () => {
    const result = await runBody(fixture, `api.session.revoke('bye');`);
    assert.deepEqual(
      result.commands,
      recorded({ type: 'session.revoke', reason: 'bye', preserveRefreshTokens: false }),
    );
  });

  test('a non-boolean preserveRefreshTokens fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.session.revoke('bye', { preserveRefreshTokens: 'yes' })`,
      'api.session.revoke: options.preserveRefreshTokens must be a boolean (got a string)',
    );
  });
});

describe('api.session.setExpiresAt, setIdleExpiresAt and setCookieMode', () => {
  test('record the new expiries and cookie mode', async () => {
    const result = await runBody(
      fixture,
      `api.session.setExpiresAt(${AT}).session.setIdleExpiresAt(${AT - 60_000}).session.setCookieMode('non-persistent');`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'session.setExpiresAt', at: AT },
        { type: 'session.setIdleExpiresAt', at: AT - 60_000 },
        { type: 'session.setCookieMode', mode: 'non-persistent' },
      ),
    );
  });

  test('a fractional expiry fails the action', async () => {
    await assertRefused(
      fixture,
      `api.session.setExpiresAt(${AT} + 0.5)`,
      `api.session.setExpiresAt: absolute must be a positive integer of milliseconds since the Unix epoch (got ${AT + 0.5})`,
    );
  });

  test('seconds instead of milliseconds fail the action', async () => {
    await assertRefused(
      fixture,
      `api.session.setIdleExpiresAt(1893456000)`,
      'api.session.setIdleExpiresAt: inactivity looks like seconds (1893456000); pass milliseconds since the Unix epoch, e.g. Date.now() + 3600 * 1000',
    );
  });

  test('an unknown cookie mode fails the action', async () => {
    await assertRefused(
      fixture,
      `api.session.setCookieMode('session')`,
      'api.session.setCookieMode: mode must be one of persistent, non-persistent (got "session")',
    );
  });
});

describe('api.session metadata', () => {
  test('setMetadata records the key and updates event.session.metadata at once; null deletes', async () => {
    const result = await runBody(
      fixture,
      `api.session.setMetadata('device', 'laptop').session.setMetadata('risk', 'low');
       api.session.setMetadata('risk', null);
       console.log(JSON.stringify(event.session.metadata));`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'session.setMetadata', key: 'device', value: 'laptop' },
        { type: 'session.setMetadata', key: 'risk', value: 'low' },
        { type: 'session.deleteMetadata', key: 'risk' },
      ),
    );
    assert.deepEqual(messages(result), ['{"device":"laptop"}']);
  });

  test('deleteMetadata and evictMetadata record the change and update the event', async () => {
    const result = await runBody(
      fixture,
      `api.session.deleteMetadata('a');
       console.log(JSON.stringify(event.session.metadata));
       api.session.evictMetadata();
       console.log(JSON.stringify(event.session.metadata));`,
      {
        patch: (event) => {
          if (event.session) event.session.metadata = { a: '1', b: '2' };
        },
      },
    );
    assertCompleted(
      result,
      recorded({ type: 'session.deleteMetadata', key: 'a' }, { type: 'session.evictMetadata' }),
    );
    assert.deepEqual(messages(result), ['{"b":"2"}', '{}']);
  });

  test('a value that is not a string fails the action', async () => {
    await assertRefused(
      fixture,
      `api.session.setMetadata('count', 3)`,
      'api.session.setMetadata: value must be a string, or null to delete the key (got a number)',
    );
  });

  test('a key with characters outside [A-Za-z0-9_-] fails deleteMetadata', async () => {
    await assertRefused(
      fixture,
      `api.session.deleteMetadata('a b')`,
      'api.session.deleteMetadata: key must be 1 to 255 characters of A-Z, a-z, 0-9, "_" or "-" (got "a b")',
    );
  });

  test('a 26th key fails the action, counting the keys the session already has', async () => {
    const result = await runBody(
      fixture,
      `for (let i = 0; i < 5; i++) api.session.setMetadata('k' + i, 'v');
       api.session.setMetadata('one-too-many', 'v');`,
      {
        patch: (event) => {
          if (event.session)
            event.session.metadata = Object.fromEntries(
              Array.from({ length: 20 }, (_, i) => [`old${i}`, 'v']),
            );
        },
      },
    );
    assertThrew(
      result,
      'api.session.setMetadata: the session already has 25 metadata keys, the maximum; delete one first',
      3,
    );
  });

  test('evictMetadata ignores its arguments; the setters work destructured', async () => {
    const result = await runBody(
      fixture,
      `const { setMetadata, evictMetadata } = api.session;
       setMetadata('x', 'y'); evictMetadata('ignored');`,
    );
    assertCompleted(
      result,
      recorded({ type: 'session.setMetadata', key: 'x', value: 'y' }, { type: 'session.evictMetadata' }),
    );
  });
});
