import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { defaultPostLoginEvent } from '../../src/index.ts';
import { assertCompleted } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';
import { commandsOf, runScript } from './load.ts';

const fixture = useRuntime({ workers: 1 });

describe('first-login-metadata.js', () => {
  const name = 'first-login-metadata';
  test('on the first login, records the signup country and starts onboarding', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.stats.logins_count = 1;
      },
    });
    assertCompleted(
      result,
      commandsOf(name)(
        { type: 'user.setAppMetadata', key: 'signup_country', value: 'US' },
        { type: 'user.setUserMetadata', key: 'onboarding', value: { step: 'welcome', completed: false } },
      ),
    );
  });

  test('does nothing on later logins', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});

describe('progressive-profiling.js', () => {
  const name = 'progressive-profiling';
  const by = commandsOf(name);

  test('counts the login', async () => {
    assertCompleted(
      await runScript(fixture, name),
      by({ type: 'user.setUserMetadata', key: 'profile_logins', value: 1 }),
    );
  });

  test('on the third login asks for the missing job title with a form', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.user.user_metadata.profile_logins = 2;
      },
    });
    const [count, render] = by(
      { type: 'user.setUserMetadata', key: 'profile_logins', value: 3 },
      { type: 'prompt.render', promptId: 'prm_job_title', vars: { name: 'Jane' } },
    );
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(result.outcome === 'completed' && result.pause, render);
    assert.deepEqual(result.commands, [count, render]);
  });

  test('stores the answer when the user comes back', async () => {
    const result = await runScript(fixture, name, {
      resume: { index: 0, state: 'st_profile' },
      patch: (event) => {
        event.prompt = { id: 'prm_job_title', fields: { job_title: '  Site Reliability Engineer ' } };
      },
    });
    assertCompleted(
      result,
      by({ type: 'user.setUserMetadata', key: 'job_title', value: 'Site Reliability Engineer' }),
    );
  });
});

describe('redirect-to-consent.js', () => {
  const name = 'redirect-to-consent';
  const by = commandsOf(name);
  const SECRET = 'consent-site-shared-secret-7c1f0e9a';
  const secrets = { CONSENT_SECRET: SECRET };
  const key = new TextEncoder().encode(SECRET);
  const sample = defaultPostLoginEvent();

  test('sends a user who has not accepted the terms to the consent site with a signed token', async () => {
    const result = await runScript(fixture, name, { secrets });
    assert.equal(result.outcome, 'completed');
    const pause = result.outcome === 'completed' ? result.pause : undefined;
    assert.equal(pause?.type, 'redirect.sendUserTo');
    const url = new URL(pause?.type === 'redirect.sendUserTo' ? pause.url : '');
    assert.equal(url.origin + url.pathname, 'https://consent.example.com/terms');
    assert.equal(url.searchParams.get('continue_uri'), 'https://login.example.com/continue');
    const { payload } = await jwtVerify(url.searchParams.get('session_token') ?? '', key, {
      algorithms: ['HS256'],
      issuer: sample.request.hostname,
      subject: sample.user.user_id,
    });
    assert.equal(payload.email, sample.user.email);
    assert.equal(payload.terms_version, '2025-01');
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
    assert.deepEqual(result.commands, by({ type: 'redirect.sendUserTo', url: url.href }));
  });

  test('does not redirect a user who already accepted, nor a prompt=none login', async () => {
    assertCompleted(
      await runScript(fixture, name, {
        secrets,
        patch: (event) => {
          event.user.app_metadata.terms_version = '2025-01';
        },
      }),
      [],
    );
    assertCompleted(
      await runScript(fixture, name, {
        secrets,
        patch: (event) => {
          event.transaction.prompt = ['none'];
        },
      }),
      [],
    );
  });

  /** Resumes the action at /continue with the consent site's answer. */
  async function resumeWith(claims: Record<string, unknown>) {
    const state = 'st_consent_4d2a';
    const token = await new SignJWT({ state, terms_version: '2025-01', ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(sample.request.hostname)
      .setSubject(sample.user.user_id)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);
    return runScript(fixture, name, {
      secrets,
      resume: { index: 0, state },
      patch: (event) => {
        event.request.query = { state, consent_token: token };
      },
    });
  }

  test('records the acceptance from the token the consent site sends back', async () => {
    const result = await resumeWith({ accepted: true, accepted_at: '2025-01-15T09:31:00.000Z' });
    assertCompleted(
      result,
      by(
        { type: 'user.setAppMetadata', key: 'terms_version', value: '2025-01' },
        { type: 'user.setAppMetadata', key: 'terms_accepted_at', value: '2025-01-15T09:31:00.000Z' },
      ),
    );
  });

  test('denies the login when the user declined', async () => {
    const result = await resumeWith({ accepted: false });
    assert.equal(result.outcome, 'denied');
    assert.deepEqual(
      result.commands,
      by({ type: 'access.deny', reason: 'You must accept the terms of service to continue.' }),
    );
  });
});

describe('session-expiry-for-client.js', () => {
  const name = 'session-expiry-for-client';
  test('gives kiosk sessions 8 hours, 15 idle minutes and a non-persistent cookie', async () => {
    const result = await runScript(fixture, name, {
      patch: (event) => {
        event.client.client_id = 'kiosk-client-id';
      },
    });
    const authenticatedAt = Date.parse('2025-01-15T09:30:00.000Z');
    assertCompleted(
      result,
      commandsOf(name)(
        { type: 'session.setExpiresAt', at: authenticatedAt + 8 * 3600_000 },
        { type: 'session.setIdleExpiresAt', at: authenticatedAt + 15 * 60_000 },
        { type: 'session.setCookieMode', mode: 'non-persistent' },
      ),
    );
  });

  test('leaves other applications alone', async () => {
    assertCompleted(await runScript(fixture, name), []);
  });
});
