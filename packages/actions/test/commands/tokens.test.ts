import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESTRICTED_CLAIMS } from '../../src/commands/restricted-claims.ts';
import { call, error, once, recorderFor } from './helpers.ts';

for (const token of ['accessToken', 'idToken'] as const) {
  const method = `${token}.setCustomClaim`;
  const name = token === 'idToken' ? 'ID token' : 'access token';

  describe(`api.${method}`, () => {
    it('records any JSON value, including namespaced keys and null', () => {
      const recorder = recorderFor();
      assert.deepEqual(call(recorder, method, 'https://example.com/roles', ['admin']), { ok: true });
      assert.deepEqual(call(recorder, method, 'tier', { level: 2, beta: true }), { ok: true });
      assert.deepEqual(call(recorder, method, 'nothing', null), { ok: true });
      assert.deepEqual(recorder.commands, [
        { action: 'first', type: method, key: 'https://example.com/roles', value: ['admin'] },
        { action: 'first', type: method, key: 'tier', value: { level: 2, beta: true } },
        { action: 'first', type: method, key: 'nothing', value: null },
      ]);
    });

    it('refuses a key that is not a non-empty string', () => {
      assert.deepEqual(
        once(method, [7, 'v']).result,
        error(`api.${method}: key must be a non-empty string (got a number)`),
      );
      assert.deepEqual(
        once(method, ['', 'v']).result,
        error(`api.${method}: key must be a non-empty string (got an empty string)`),
      );
    });

    it('refuses reserved property names as keys', () => {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        assert.deepEqual(
          once(method, [key, 1]).result,
          error(`api.${method}: key "${key}" is a reserved JavaScript property name and cannot be used`),
        );
      }
    });

    it('ignores restricted claims with a warning and records nothing', () => {
      for (const key of [
        'iss',
        'sub',
        'aud',
        'exp',
        'nonce',
        'scope',
        'permissions',
        'org_id',
        'cnf',
        'x5t#S256',
      ]) {
        const { result, commands } = once(method, [key, 'forged']);
        assert.deepEqual(result, { ok: true, warning: `claim "${key}" is restricted and was ignored` });
        assert.deepEqual(commands, []);
      }
    });

    it('matches restricted names case-sensitively, as JWT does', () => {
      assert.deepEqual(once(method, ['ISS', 'x']).result, { ok: true });
    });

    it('ignores an undefined value with a warning', () => {
      const { result, commands } = once(method, ['maybe', undefined]);
      assert.deepEqual(result, { ok: true, warning: 'claim "maybe" has an undefined value and was ignored' });
      assert.deepEqual(commands, []);
    });

    it(`fails the run when custom claims on the ${name} exceed 100 KB`, () => {
      const recorder = recorderFor();
      const chunk = 'x'.repeat(50 * 1024);
      assert.deepEqual(call(recorder, method, 'a', chunk), { ok: true });
      // Replacing a claim counts its new size, not both.
      assert.deepEqual(call(recorder, method, 'a', chunk), { ok: true });
      const message = `api.${method}: custom claims on the ${name} would be 102414 bytes; the limit is 102400 bytes`;
      assert.deepEqual(call(recorder, method, 'b', chunk), error(message, true));
      assert.equal(recorder.limitExceeded, message);
      assert.equal(recorder.commands.length, 2);
    });

    it('fails the run on a 10 MB claim before parsing it', () => {
      const recorder = recorderFor();
      const result = call(recorder, method, 'huge', 'x'.repeat(10 * 1024 * 1024));
      assert.deepEqual(
        result,
        error(`api.${method}: arguments are 10485771 bytes; the limit is 262144 bytes per call`, true),
      );
      assert.equal(recorder.limitExceeded, (result as { message: string }).message);
    });
  });
}

describe('claim budgets', () => {
  it('counts the ID token and the access token separately', () => {
    const recorder = recorderFor();
    const chunk = 'x'.repeat(90 * 1024);
    assert.deepEqual(call(recorder, 'idToken.setCustomClaim', 'a', chunk), { ok: true });
    assert.deepEqual(call(recorder, 'accessToken.setCustomClaim', 'a', chunk), { ok: true });
  });

  it('restricts the names Auth0 documents plus scope', () => {
    for (const name of ['acr', 'amr', 'at_hash', 'c_hash', 'auth_time', 'azp', 'jti', 'nbf', 'iat', 'sid']) {
      assert.ok(RESTRICTED_CLAIMS.has(name), name);
    }
    for (const name of ['org_name', 'client_id', 'gty', 'typ', 'roles', 'groups', 'may_act', 'act']) {
      assert.ok(RESTRICTED_CLAIMS.has(name), name);
    }
  });
});

for (const type of ['accessToken.addScope', 'accessToken.removeScope']) {
  describe(`api.${type}`, () => {
    it('records one scope', () => {
      const { result, commands } = once(type, ['read:invoices']);
      assert.deepEqual(result, { ok: true });
      assert.deepEqual(commands, [{ action: 'first', type, scope: 'read:invoices' }]);
    });

    it('refuses a scope that is not a non-empty string', () => {
      assert.deepEqual(
        once(type, [['a']]).result,
        error(`api.${type}: scope must be a non-empty string (got an array)`),
      );
      assert.deepEqual(
        once(type, ['']).result,
        error(`api.${type}: scope must be a non-empty string (got an empty string)`),
      );
    });

    it('refuses several scopes in one string (RFC 6749 §3.3)', () => {
      for (const scope of ['read write', 'say"hi"', 'back\\slash', 'tab\there', 'ünïcode']) {
        assert.deepEqual(
          once(type, [scope]).result,
          error(
            `api.${type}: scope must be a single scope (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes); call it once per scope`,
          ),
        );
      }
    });
  });
}
