import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, assertRefused, messages, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.accessToken.setCustomClaim', () => {
  test('records namespaced claims of any JSON value, in call order', async () => {
    const result = await runBody(
      fixture,
      `api.accessToken.setCustomClaim('https://example.com/roles', ['admin', 'editor']);
       api.accessToken.setCustomClaim('https://example.com/profile', { tier: 'gold', seats: 3, beta: true, manager: null });`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'accessToken.setCustomClaim', key: 'https://example.com/roles', value: ['admin', 'editor'] },
        {
          type: 'accessToken.setCustomClaim',
          key: 'https://example.com/profile',
          value: { tier: 'gold', seats: 3, beta: true, manager: null },
        },
      ),
    );
  });

  test('a restricted claim is dropped with a warning in the execution log, and the login goes on', async () => {
    const result = await runBody(fixture, `api.accessToken.setCustomClaim('scope', 'admin:all');`);
    assertCompleted(result, []);
    assert.deepEqual(
      result.logs.map((l) => [l.level, l.message]),
      [['warn', '[tessera] claim "scope" is restricted and was ignored']],
    );
  });

  test('an empty or reserved key fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.accessToken.setCustomClaim('', 1)`,
      'api.accessToken.setCustomClaim: key must be a non-empty string (got an empty string)',
    );
    await assertRefused(
      fixture,
      `api.accessToken.setCustomClaim('__proto__', { isAdmin: true })`,
      'api.accessToken.setCustomClaim: key "__proto__" is a reserved JavaScript property name and cannot be used',
    );
  });
});

describe('api.accessToken.addScope and removeScope', () => {
  test('record one scope per call', async () => {
    const result = await runBody(
      fixture,
      `api.accessToken.addScope('read:reports');
       api.accessToken.removeScope('write:reports');`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'accessToken.addScope', scope: 'read:reports' },
        { type: 'accessToken.removeScope', scope: 'write:reports' },
      ),
    );
  });

  test('a space-separated list fails the action: one call per scope', async () => {
    await assertRefused(
      fixture,
      `api.accessToken.addScope('read:a write:a')`,
      'api.accessToken.addScope: scope must be a single scope (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes); call it once per scope',
    );
  });

  test('a scope that is not a string fails the action', async () => {
    await assertRefused(
      fixture,
      `api.accessToken.removeScope(42)`,
      'api.accessToken.removeScope: scope must be a non-empty string (got a number)',
    );
  });
});

describe('the accessToken setters', () => {
  test('return api, so calls chain across namespaces', async () => {
    const result = await runBody(
      fixture,
      `const returned = api.accessToken
         .addScope('a:1')
         .accessToken.removeScope('b:2')
         .accessToken.setCustomClaim('https://example.com/c', 3);
       console.log(returned === api);`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'accessToken.addScope', scope: 'a:1' },
        { type: 'accessToken.removeScope', scope: 'b:2' },
        { type: 'accessToken.setCustomClaim', key: 'https://example.com/c', value: 3 },
      ),
    );
    assert.deepEqual(messages(result), ['true']);
  });

  test('work destructured from their namespace', async () => {
    const result = await runBody(
      fixture,
      `const { addScope, removeScope, setCustomClaim } = api.accessToken;
       addScope('read:x'); removeScope('read:y'); setCustomClaim('https://example.com/d', 'v');`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'accessToken.addScope', scope: 'read:x' },
        { type: 'accessToken.removeScope', scope: 'read:y' },
        { type: 'accessToken.setCustomClaim', key: 'https://example.com/d', value: 'v' },
      ),
    );
  });
});
