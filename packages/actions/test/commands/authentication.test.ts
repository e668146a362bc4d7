import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, error, once, recorderFor } from './helpers.ts';

const TYPES = 'otp, recovery-code, email, phone, webauthn-roaming, webauthn-platform, push-notification';

for (const type of ['authentication.challengeWith', 'authentication.enrollWith'] as const) {
  const m = `api.${type}`;
  describe(m, () => {
    it('records the factor with no additional factors', () => {
      const { result, commands } = once(type, [{ type: 'otp' }]);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [{ action: 'first', type, factor: { type: 'otp' }, additionalFactors: [] }]);
    });

    it('records additional factors and factor options', () => {
      const { commands } = once(type, [
        { type: 'push-notification', options: { otpFallback: false } },
        { additionalFactors: [{ type: 'phone', options: { preferredMethod: 'voice' } }, { type: 'email' }] },
      ]);
      assert.deepEqual(commands, [
        {
          action: 'first',
          type,
          factor: { type: 'push-notification', options: { otpFallback: false } },
          additionalFactors: [{ type: 'phone', options: { preferredMethod: 'voice' } }, { type: 'email' }],
        },
      ]);
    });

    it('accepts an empty additionalFactors list and drops unknown factor keys', () => {
      const { commands } = once(type, [{ type: 'webauthn-roaming', extra: 1 }, { additionalFactors: [] }]);
      assert.deepEqual(commands, [
        { action: 'first', type, factor: { type: 'webauthn-roaming' }, additionalFactors: [] },
      ]);
    });

    it('refuses a factor that is not an object', () => {
      assert.deepEqual(
        once(type, ['otp']).result,
        error(`${m}: factor must be an object like { type: "otp" } (got a string)`),
      );
      assert.deepEqual(
        once(type, []).result,
        error(`${m}: factor must be an object like { type: "otp" } (got undefined)`),
      );
    });

    it('refuses an unknown factor type', () => {
      assert.deepEqual(
        once(type, [{ type: 'sms' }]).result,
        error(`${m}: factor.type must be one of ${TYPES} (got "sms")`),
      );
      assert.deepEqual(
        once(type, [{}]).result,
        error(`${m}: factor.type must be one of ${TYPES} (got undefined)`),
      );
    });

    it('refuses bad factor options', () => {
      assert.deepEqual(
        once(type, [{ type: 'otp', options: 'x' }]).result,
        error(`${m}: factor.options must be an object (got a string)`),
      );
      assert.deepEqual(
        once(type, [{ type: 'push-notification', options: { otpFallback: 'no' } }]).result,
        error(`${m}: factor.options.otpFallback must be a boolean (got a string)`),
      );
      assert.deepEqual(
        once(type, [{ type: 'phone', options: { preferredMethod: 'fax' } }]).result,
        error(`${m}: factor.options.preferredMethod must be one of sms, voice, both (got "fax")`),
      );
    });

    it('refuses bad options and additional factors', () => {
      assert.deepEqual(
        once(type, [{ type: 'otp' }, []]).result,
        error(`${m}: options must be an object (got an array)`),
      );
      assert.deepEqual(
        once(type, [{ type: 'otp' }, { additionalFactors: { type: 'email' } }]).result,
        error(`${m}: options.additionalFactors must be an array of factors (got an object)`),
      );
      assert.deepEqual(
        once(type, [{ type: 'otp' }, { additionalFactors: [{ type: 'email' }, { type: 'duo' }] }]).result,
        error(`${m}: options.additionalFactors[1].type must be one of ${TYPES} (got "duo")`),
      );
    });
  });
}

for (const type of ['authentication.challengeWithAny', 'authentication.enrollWithAny'] as const) {
  const m = `api.${type}`;
  describe(m, () => {
    it('records the factors', () => {
      const { result, commands } = once(type, [[{ type: 'otp' }, { type: 'webauthn-platform' }]]);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [
        { action: 'first', type, factors: [{ type: 'otp' }, { type: 'webauthn-platform' }] },
      ]);
    });

    it('refuses an empty or missing list', () => {
      assert.deepEqual(
        once(type, [[]]).result,
        error(`${m}: factors must be a non-empty array of factors (got an empty array)`),
      );
      assert.deepEqual(
        once(type, []).result,
        error(`${m}: factors must be a non-empty array of factors (got undefined)`),
      );
    });

    it('refuses an invalid factor in the list', () => {
      assert.deepEqual(
        once(type, [[{ type: 'otp' }, null]]).result,
        error(`${m}: factors[1] must be an object like { type: "otp" } (got null)`),
      );
    });
  });
}

describe('api.authentication.recordMethod', () => {
  const continuing = { handler: 'onContinuePostLogin' } as const;

  it('records an http(s) URL in onContinuePostLogin', () => {
    const { result, commands } = once(
      'authentication.recordMethod',
      ['https://mfa.example.com/method'],
      continuing,
    );
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'authentication.recordMethod', url: 'https://mfa.example.com/method' },
    ]);
    assert.deepEqual(once('authentication.recordMethod', ['http://internal.example/m'], continuing).result, {
      ok: true,
    });
  });

  it('is refused in onExecutePostLogin', () => {
    assert.deepEqual(
      once('authentication.recordMethod', ['https://mfa.example.com']).result,
      error('api.authentication.recordMethod can only be called in onContinuePostLogin'),
    );
  });

  it('refuses anything but an absolute http(s) URL', () => {
    const m = 'api.authentication.recordMethod: provider_url';
    const run = (url: unknown) => once('authentication.recordMethod', [url], continuing).result;
    assert.deepEqual(run(3), error(`${m} must be a string (got a number)`));
    assert.deepEqual(run('/relative'), error(`${m} must be an absolute URL (got "/relative")`));
    assert.deepEqual(run('urn:x:y'), error(`${m} must be an http: or https: URL (got a "urn:" URL)`));
    assert.deepEqual(
      run('https://u:p@x.example'),
      error(`${m} must not contain credentials (user:password@)`),
    );
  });
});

describe('api.authentication.setPrimaryUser', () => {
  it('records the user id', () => {
    const { result, commands } = once('authentication.setPrimaryUser', ['auth0|primary']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'authentication.setPrimaryUser', userId: 'auth0|primary' },
    ]);
  });

  it('refuses an empty, non-string or over-long id', () => {
    const m = 'api.authentication.setPrimaryUser: primary_user_id';
    assert.deepEqual(
      once('authentication.setPrimaryUser', ['']).result,
      error(`${m} must be a non-empty string (got an empty string)`),
    );
    assert.deepEqual(
      once('authentication.setPrimaryUser', [12]).result,
      error(`${m} must be a non-empty string (got a number)`),
    );
    assert.deepEqual(
      once('authentication.setPrimaryUser', ['a'.repeat(129)]).result,
      error(`${m} is 129 characters; the limit is 128`),
    );
  });

  it('can be called only once per transaction, across actions', () => {
    const recorder = recorderFor();
    assert.deepEqual(call(recorder, 'authentication.setPrimaryUser', 'auth0|a'), { ok: true });
    recorder.begin({
      actionName: 'second',
      protocol: 'oidc-basic-profile',
      handler: 'onExecutePostLogin',
      canRedirect: true,
    });
    assert.deepEqual(
      call(recorder, 'authentication.setPrimaryUser', 'auth0|b'),
      error('api.authentication.setPrimaryUser can be called only once per transaction'),
    );
  });
});

describe('api.multifactor.enable', () => {
  it('records the provider, not remembering the browser by default', () => {
    const { result, commands } = once('multifactor.enable', ['any']);
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(commands, [
      { action: 'first', type: 'multifactor.enable', provider: 'any', allowRememberBrowser: false },
    ]);
  });

  it('records allowRememberBrowser', () => {
    for (const provider of ['duo', 'none', 'guardian', 'google-authenticator']) {
      assert.deepEqual(once('multifactor.enable', [provider, { allowRememberBrowser: true }]).commands, [
        { action: 'first', type: 'multifactor.enable', provider, allowRememberBrowser: true },
      ]);
    }
  });

  it('refuses an unknown provider or bad options', () => {
    assert.deepEqual(
      once('multifactor.enable', ['sms']).result,
      error(
        'api.multifactor.enable: provider must be one of any, duo, none, guardian, google-authenticator (got "sms")',
      ),
    );
    assert.deepEqual(
      once('multifactor.enable', ['any', 'yes']).result,
      error('api.multifactor.enable: options must be an object (got a string)'),
    );
    assert.deepEqual(
      once('multifactor.enable', ['any', { allowRememberBrowser: 1 }]).result,
      error('api.multifactor.enable: options.allowRememberBrowser must be a boolean (got a number)'),
    );
  });
});
