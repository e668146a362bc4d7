import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandRecorder } from '../../src/commands/recorder.ts';
import { call, error, LOGIN, once, recorderFor } from './helpers.ts';

const KEY_RULE = 'key must be 1 to 255 characters of A-Z, a-z, 0-9, "_" or "-"';

describe('api.session.revoke', () => {
  it('records the reason, not preserving refresh tokens by default', () => {
    const { result, commands } = once('session.revoke', ['stolen device']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'session.revoke', reason: 'stolen device', preserveRefreshTokens: false },
    ]);
    assert.deepEqual(once('session.revoke', ['r', { preserveRefreshTokens: true }]).commands, [
      { action: 'first', type: 'session.revoke', reason: 'r', preserveRefreshTokens: true },
    ]);
  });

  it('refuses a bad reason or options', () => {
    assert.deepEqual(
      once('session.revoke', []).result,
      error('api.session.revoke: reason must be a string (got undefined)'),
    );
    assert.deepEqual(
      once('session.revoke', ['r', 1]).result,
      error('api.session.revoke: options must be an object (got a number)'),
    );
    assert.deepEqual(
      once('session.revoke', ['r', { preserveRefreshTokens: 'yes' }]).result,
      error('api.session.revoke: options.preserveRefreshTokens must be a boolean (got a string)'),
    );
  });

  it('fails the run on a reason over 4 KB', () => {
    assert.deepEqual(
      once('session.revoke', ['r'.repeat(5000)]).result,
      error('api.session.revoke: reason is 5000 bytes; the limit is 4096 bytes', true),
    );
  });
});

for (const [type, param] of [
  ['session.setExpiresAt', 'absolute'],
  ['session.setIdleExpiresAt', 'inactivity'],
  ['refreshToken.setExpiresAt', 'absolute'],
  ['refreshToken.setIdleExpiresAt', 'inactivity'],
] as const) {
  describe(`api.${type}`, () => {
    const where = `api.${type}: ${param}`;
    it('records milliseconds since the epoch', () => {
      const at = Date.UTC(2030, 0, 1);
      const { result, commands } = once(type, [at]);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [{ action: 'first', type, at }]);
    });

    it('refuses seconds, saying so', () => {
      assert.deepEqual(
        once(type, [1_900_000_000]).result,
        error(
          `${where} looks like seconds (1900000000); pass milliseconds since the Unix epoch, e.g. Date.now() + 3600 * 1000`,
        ),
      );
    });

    it('refuses non-integers, non-positive numbers, non-numbers and dates beyond JavaScript', () => {
      const rule = `${where} must be a positive integer of milliseconds since the Unix epoch`;
      assert.deepEqual(once(type, [1.5e12 + 0.5]).result, error(`${rule} (got 1500000000000.5)`));
      assert.deepEqual(once(type, [-5]).result, error(`${rule} (got -5)`));
      assert.deepEqual(once(type, ['1900000000000']).result, error(`${rule} (got a string)`));
      assert.deepEqual(once(type, []).result, error(`${rule} (got undefined)`));
      assert.deepEqual(
        once(type, [9e15]).result,
        error(`${where} is later than the latest date JavaScript can represent`),
      );
    });
  });
}

describe('api.session.setCookieMode', () => {
  it('records persistent or non-persistent', () => {
    for (const mode of ['persistent', 'non-persistent']) {
      assert.deepEqual(once('session.setCookieMode', [mode]).commands, [
        { action: 'first', type: 'session.setCookieMode', mode },
      ]);
    }
  });

  it('refuses any other mode', () => {
    assert.deepEqual(
      once('session.setCookieMode', ['session']).result,
      error('api.session.setCookieMode: mode must be one of persistent, non-persistent (got "session")'),
    );
  });
});

describe('api.session.setMetadata / deleteMetadata / evictMetadata', () => {
  it('records string values', () => {
    const { result, commands } = once('session.setMetadata', ['device_name', 'Pixel 9']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'session.setMetadata', key: 'device_name', value: 'Pixel 9' },
    ]);
  });

  it('records null as a deletion', () => {
    assert.deepEqual(once('session.setMetadata', ['device_name', null]).commands, [
      { action: 'first', type: 'session.deleteMetadata', key: 'device_name' },
    ]);
  });

  it('refuses keys outside [A-Za-z0-9_-], over 255 characters, or reserved', () => {
    const m = 'api.session.setMetadata';
    assert.deepEqual(
      once('session.setMetadata', ['a b', 'v']).result,
      error(`${m}: ${KEY_RULE} (got "a b")`),
    );
    assert.deepEqual(once('session.setMetadata', ['', 'v']).result, error(`${m}: ${KEY_RULE} (got "")`));
    assert.deepEqual(once('session.setMetadata', [3, 'v']).result, error(`${m}: ${KEY_RULE} (got a number)`));
    const long = 'k'.repeat(256);
    assert.deepEqual(
      once('session.setMetadata', [long, 'v']).result,
      error(`${m}: ${KEY_RULE} (got "${'k'.repeat(64)}…")`),
    );
    assert.deepEqual(
      once('session.setMetadata', ['constructor', 'v']).result,
      error(`${m}: key "constructor" is a reserved JavaScript property name and cannot be used`),
    );
  });

  it('refuses values that are not strings of at most 255 characters', () => {
    const m = 'api.session.setMetadata';
    assert.deepEqual(
      once('session.setMetadata', ['k', 1]).result,
      error(`${m}: value must be a string, or null to delete the key (got a number)`),
    );
    assert.deepEqual(
      once('session.setMetadata', ['k']).result,
      error(`${m}: value must be a string, or null to delete the key (got undefined)`),
    );
    assert.deepEqual(
      once('session.setMetadata', ['k', 'v'.repeat(256)]).result,
      error(`${m}: value is 256 characters; the limit is 255`),
    );
  });

  it('allows at most 25 keys across the run, counting existing ones, deletions and evictions', () => {
    const recorder = new CommandRecorder(undefined, { sessionMetadataKeys: ['existing'] });
    recorder.begin(LOGIN);
    for (let i = 0; i < 24; i++)
      assert.deepEqual(call(recorder, 'session.setMetadata', `k${i}`, 'v'), { ok: true });
    const full = error(
      'api.session.setMetadata: the session already has 25 metadata keys, the maximum; delete one first',
    );
    recorder.begin({ ...LOGIN, actionName: 'second' });
    assert.deepEqual(call(recorder, 'session.setMetadata', 'one_more', 'v'), full);
    // Updating an existing key is fine; deleting one makes room.
    assert.deepEqual(call(recorder, 'session.setMetadata', 'existing', 'new'), { ok: true });
    assert.deepEqual(call(recorder, 'session.deleteMetadata', 'k0'), { ok: true });
    assert.deepEqual(call(recorder, 'session.setMetadata', 'one_more', 'v'), { ok: true });
    assert.deepEqual(call(recorder, 'session.setMetadata', 'two_more', 'v'), full);
    assert.deepEqual(call(recorder, 'session.setMetadata', 'k1', null), { ok: true });
    assert.deepEqual(call(recorder, 'session.setMetadata', 'two_more', 'v'), { ok: true });
    assert.deepEqual(call(recorder, 'session.evictMetadata'), { ok: true });
    assert.deepEqual(call(recorder, 'session.setMetadata', 'three_more', 'v'), { ok: true });
  });

  it('records deleteMetadata and evictMetadata', () => {
    const recorder = recorderFor();
    assert.deepEqual(call(recorder, 'session.deleteMetadata', 'device_name'), { ok: true });
    assert.deepEqual(call(recorder, 'session.evictMetadata'), { ok: true });
    assert.deepEqual(recorder.commands, [
      { action: 'first', type: 'session.deleteMetadata', key: 'device_name' },
      { action: 'first', type: 'session.evictMetadata' },
    ]);
    assert.deepEqual(
      call(recorder, 'session.deleteMetadata', 'a.b'),
      error(`api.session.deleteMetadata: ${KEY_RULE} (got "a.b")`),
    );
  });
});

describe('api.refreshToken.revoke', () => {
  const refresh = { protocol: 'oauth2-refresh-token', canRedirect: false } as const;

  it('records the reason during a refresh token exchange', () => {
    const { result, commands } = once('refreshToken.revoke', ['compromised'], refresh);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [{ action: 'first', type: 'refreshToken.revoke', reason: 'compromised' }]);
  });

  it('is refused in any other protocol', () => {
    assert.deepEqual(
      once('refreshToken.revoke', ['r']).result,
      error(
        'api.refreshToken.revoke can only be used when event.transaction.protocol is "oauth2-refresh-token" (it is "oidc-basic-profile")',
      ),
    );
  });

  it('refuses a bad reason and fails the run on one over 4 KB', () => {
    assert.deepEqual(
      once('refreshToken.revoke', [false], refresh).result,
      error('api.refreshToken.revoke: reason must be a string (got a boolean)'),
    );
    assert.deepEqual(
      once('refreshToken.revoke', ['r'.repeat(4097)], refresh).result,
      error('api.refreshToken.revoke: reason is 4097 bytes; the limit is 4096 bytes', true),
    );
  });
});
