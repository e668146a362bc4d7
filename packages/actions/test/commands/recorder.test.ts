import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandRecorder } from '../../src/commands/recorder.ts';
import { DENYING, PAUSING } from '../../src/commands/types.ts';
import { call, error, LOGIN, recorderFor } from './helpers.ts';

const ONE_INTERACTION = 'an action can start only one redirect, prompt, or MFA challenge or enrollment';

describe('CommandRecorder', () => {
  it('keeps accepted commands in call order across actions, naming the action', () => {
    const recorder = recorderFor();
    call(recorder, 'idToken.setCustomClaim', 'a', 1);
    call(recorder, 'access.deny', 5); // refused: not recorded
    recorder.begin({ ...LOGIN, actionName: 'second' });
    call(recorder, 'accessToken.addScope', 'read');
    assert.deepEqual(recorder.commands, [
      { action: 'first', type: 'idToken.setCustomClaim', key: 'a', value: 1 },
      { action: 'second', type: 'accessToken.addScope', scope: 'read' },
    ]);
  });

  it('refuses methods that record nothing or do not exist, including prototype names', () => {
    const recorder = recorderFor();
    for (const method of ['redirect.canRedirect', 'cache.set', '__proto__', 'toString', 'access.deny.call']) {
      assert.deepEqual(
        call(recorder, method, 'x'),
        error(`${JSON.stringify(method)} is not an api method that records a change`),
      );
    }
  });

  it('refuses malformed arguments sent past the stub', () => {
    const recorder = recorderFor();
    assert.deepEqual(
      recorder.record('access.deny', '{"not":"an array"}', 0),
      error('api.access.deny: arguments are malformed'),
    );
    assert.deepEqual(
      recorder.record('access.deny', '["x"]', 1),
      error('api.access.deny: arguments are malformed'),
    );
  });

  it('throws if used before begin(): a host bug, not tenant input', () => {
    assert.throws(() => new CommandRecorder().record('access.deny', '["x"]', 0), /before begin\(\)/);
  });

  it('fails the run after 1000 api calls; 10 000 calls end at the limit and stay failed', () => {
    const recorder = recorderFor();
    const limit = error('too many api calls: at most 1000 per execution', true);
    let first: unknown;
    for (let i = 0; i < 10_000; i++) {
      const result = call(recorder, 'idToken.setCustomClaim', `c${i}`, i);
      if (!result.ok && first === undefined) first = { i, result };
    }
    assert.deepEqual(first, { i: 1000, result: limit });
    assert.equal(recorder.commands.length, 1000);
    assert.equal(recorder.limitExceeded, 'too many api calls: at most 1000 per execution');
    recorder.begin({ ...LOGIN, actionName: 'next' });
    assert.deepEqual(call(recorder, 'access.deny', 'x'), limit);
  });

  it('fails the run on 1000-deep nesting', () => {
    const recorder = recorderFor();
    const json = `["k",${'['.repeat(1000)}${']'.repeat(1000)}]`;
    const message = 'api.user.setAppMetadata: arguments are nested more than 32 levels deep';
    assert.deepEqual(recorder.record('user.setAppMetadata', json, 0), error(message, true));
    assert.equal(recorder.limitExceeded, message);
  });

  it('fails the run when accepted arguments exceed 2 MB in total', () => {
    const recorder = recorderFor();
    const value = 'v'.repeat(200 * 1024);
    let result = call(recorder, 'user.setAppMetadata', 'k0', value);
    for (let i = 1; result.ok && i < 20; i++) result = call(recorder, 'user.setAppMetadata', `k${i}`, value);
    assert.deepEqual(
      result,
      error(
        "api.user.setAppMetadata: this execution's api calls would carry more than 2097152 bytes of arguments",
        true,
      ),
    );
    assert.equal(recorder.commands.length, 10);
  });

  it('takes its limits from the constructor', () => {
    const recorder = new CommandRecorder({ maxCalls: 2 });
    recorder.begin(LOGIN);
    call(recorder, 'accessToken.addScope', 'a');
    call(recorder, 'accessToken.addScope', 'b');
    assert.deepEqual(
      call(recorder, 'accessToken.addScope', 'c'),
      error('too many api calls: at most 2 per execution', true),
    );
  });
});

describe('CommandRecorder.stopping()', () => {
  it('is undefined while the current action only changed data', () => {
    const recorder = recorderFor();
    call(recorder, 'user.setAppMetadata', 'k', 1);
    assert.equal(recorder.stopping(), undefined);
  });

  it('returns the current action’s denying command', () => {
    for (const [method, args] of [
      ['access.deny', ['no']],
      ['validation.error', ['c', 'm']],
      ['session.revoke', ['r']],
    ] as const) {
      const recorder = recorderFor();
      call(recorder, method, ...args);
      assert.equal(recorder.stopping()?.type, method);
    }
    const refresh = recorderFor({ protocol: 'oauth2-refresh-token', canRedirect: false });
    call(refresh, 'refreshToken.revoke', 'r');
    assert.equal(refresh.stopping()?.type, 'refreshToken.revoke');
  });

  it('returns the current action’s pausing command', () => {
    for (const [method, args] of [
      ['redirect.sendUserTo', ['https://example.com']],
      ['prompt.render', ['ap']],
      ['authentication.challengeWith', [{ type: 'otp' }]],
      ['authentication.challengeWithAny', [[{ type: 'otp' }]]],
      ['authentication.enrollWith', [{ type: 'otp' }]],
      ['authentication.enrollWithAny', [[{ type: 'otp' }]]],
    ] as const) {
      const recorder = recorderFor();
      call(recorder, method, ...args);
      assert.deepEqual(recorder.stopping(), recorder.commands[0]);
    }
  });

  it('prefers a denial over an earlier redirect of the same action', () => {
    const recorder = recorderFor();
    call(recorder, 'redirect.sendUserTo', 'https://example.com');
    call(recorder, 'access.deny', 'no');
    assert.equal(recorder.stopping()?.type, 'access.deny');
  });

  it('only looks at the current action', () => {
    const recorder = recorderFor();
    call(recorder, 'access.deny', 'no');
    recorder.begin({ ...LOGIN, actionName: 'second' });
    assert.equal(recorder.stopping(), undefined);
  });

  it('lists the denying and pausing commands', () => {
    assert.deepEqual(
      [...DENYING],
      ['access.deny', 'validation.error', 'session.revoke', 'refreshToken.revoke'],
    );
    assert.equal(PAUSING.size, 6);
  });
});

describe('one interaction per action', () => {
  it('refuses a second redirect in the same action', () => {
    const recorder = recorderFor();
    call(recorder, 'redirect.sendUserTo', 'https://a.example');
    assert.deepEqual(
      call(recorder, 'redirect.sendUserTo', 'https://b.example'),
      error(
        `api.redirect.sendUserTo: this action already called api.redirect.sendUserTo; ${ONE_INTERACTION}`,
      ),
    );
    assert.equal(recorder.commands.length, 1);
  });

  it('refuses a prompt together with a redirect, either way round', () => {
    const a = recorderFor();
    call(a, 'redirect.sendUserTo', 'https://a.example');
    assert.deepEqual(
      call(a, 'prompt.render', 'ap'),
      error(`api.prompt.render: this action already called api.redirect.sendUserTo; ${ONE_INTERACTION}`),
    );
    const b = recorderFor();
    call(b, 'prompt.render', 'ap');
    assert.deepEqual(
      call(b, 'redirect.sendUserTo', 'https://a.example'),
      error(`api.redirect.sendUserTo: this action already called api.prompt.render; ${ONE_INTERACTION}`),
    );
  });

  it('refuses a challenge after a redirect in the same action', () => {
    const recorder = recorderFor();
    call(recorder, 'redirect.sendUserTo', 'https://a.example');
    assert.deepEqual(
      call(recorder, 'authentication.challengeWith', { type: 'otp' }),
      error(
        `api.authentication.challengeWith: this action already called api.redirect.sendUserTo; ${ONE_INTERACTION}`,
      ),
    );
  });

  it('allows the next action its own interaction', () => {
    const recorder = recorderFor();
    call(recorder, 'redirect.sendUserTo', 'https://a.example');
    recorder.begin({ ...LOGIN, actionName: 'second', handler: 'onContinuePostLogin' });
    assert.deepEqual(call(recorder, 'prompt.render', 'ap'), { ok: true });
  });
});
