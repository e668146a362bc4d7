import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PostLoginEvent } from '../../src/index.ts';
import { assertCompleted, messages } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { commandsOf, runScript } from './load.ts';

const fixture = useRuntime({ workers: 1 });

/** The run was denied by exactly `command`, the only one it recorded. */
function assertDeniedBy(result: Awaited<ReturnType<typeof runScript>>, command: unknown) {
  assert.equal(result.outcome, 'denied', result.outcome === 'failed' ? result.message : result.outcome);
  assert.deepEqual(result.outcome === 'denied' && result.denial, command);
  assert.deepEqual(result.commands, [command]);
}

describe('deny-by-country.js', () => {
  const name = 'deny-by-country';
  test('denies a login from a denied country, naming it', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.request.geoip = { ...event.request.geoip, countryCode: 'KP', countryName: 'North Korea' };
      },
    });
    assertDeniedBy(
      result,
      commandsOf(name)({ type: 'access.deny', reason: 'Access from North Korea is not allowed.' })[0],
    );
  });

  test('lets other countries and logins without GeoIP through', async () => {
    assertCompleted(await runScript(fixture, name), []);
    assertCompleted(
      await runScript(fixture, name, {
        patch: (event) => {
          event.request.geoip = {};
        },
      }),
      [],
    );
  });
});

describe('deny-by-email-domain.js', () => {
  const name = 'deny-by-email-domain';
  test('denies an address outside the company domains', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.email = 'mallory@gmail.com';
      },
    });
    assertDeniedBy(
      result,
      commandsOf(name)({
        type: 'access.deny',
        reason: 'Access denied: please sign in with your company email address.',
      })[0],
    );
  });

  test('lets company addresses through, whatever their case', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.email = 'Jane.Doe@EXAMPLE.org';
      },
    });
    assertCompleted(result, []);
  });
});

describe('require-verified-email.js', () => {
  const name = 'require-verified-email';
  test('denies an unverified user', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.email_verified = false;
      },
    });
    assertDeniedBy(
      result,
      commandsOf(name)({
        type: 'access.deny',
        reason: 'Please verify your email address before logging in.',
      })[0],
    );
  });

  test('lets a verified user through', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('ip-allowlist.js', () => {
  const name = 'ip-allowlist';
  const backOffice = (ip: string) => ({
    patch: (event: PostLoginEvent) => {
      event.client.client_id = 'back-office-client-id';
      event.request.ip = ip;
    },
  });

  test('denies the back office from an address outside the office networks', async () => {
    const result = await runScript(fixture, name, backOffice('198.51.100.18'));
    assertDeniedBy(
      result,
      commandsOf(name)({ type: 'access.deny', reason: 'Access from 198.51.100.18 is not allowed.' })[0],
    );
  });

  test('lets the office networks in, and ignores other applications', async () => {
    assertCompleted(await runScript(fixture, name, backOffice('203.0.113.250')), []);
    assertCompleted(await runScript(fixture, name, backOffice('198.51.100.17')), []);
    assertCompleted(
      await runScript(fixture, name, {
        patch: (event) => {
          event.request.ip = '192.0.2.1';
        },
      }),
      [],
    );
  });
});

describe('validate-phone-number.js', () => {
  const name = 'validate-phone-number';
  test('fails the login with a validation error for a number not in E.164 format', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.user_metadata.phone = '(415) 555-0123';
      },
    });
    assertDeniedBy(
      result,
      commandsOf(name)({
        type: 'validation.error',
        code: 'invalid_phone_number',
        message: 'The phone number (415) 555-0123 is not in international format.',
      })[0],
    );
  });

  test('accepts an E.164 number, and users without one', async () => {
    assertCompleted(
      await runScript(fixture, name, {
        patch: (event) => {
          event.user.phone_number = '+14155550123';
        },
      }),
      [],
    );
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('revoke-refresh-token-for-blocked.js', () => {
  const name = 'revoke-refresh-token-for-blocked';
  const blocked = (protocol: 'oauth2-refresh-token' | 'oidc-basic-profile') => ({
    patch: (event: PostLoginEvent) => {
      event.user.app_metadata.blocked = true;
      event.transaction.protocol = protocol;
    },
  });

  test('revokes the refresh token of a blocked user during a refresh-token exchange', async () => {
    const result = await runScript(fixture, name, blocked('oauth2-refresh-token'));
    assertDeniedBy(
      result,
      commandsOf(name)({ type: 'refreshToken.revoke', reason: 'This account is blocked.' })[0],
    );
  });

  test('denies an interactive login of a blocked user; others pass', async () => {
    const result = await runScript(fixture, name, blocked('oidc-basic-profile'));
    assertDeniedBy(result, commandsOf(name)({ type: 'access.deny', reason: 'This account is blocked.' })[0]);
    const fine = await runScript(fixture, name);
    assertCompleted(fine, []);
    assert.deepEqual(messages(fine), []);
  });
});
