import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, assertRefused, messages, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.idToken.setCustomClaim', () => {
  test('records each claim with its value', async () => {
    const result = await runBody(
      fixture,
      `api.idToken.setCustomClaim('https://example.com/roles', event.authorization.roles);
       api.idToken.setCustomClaim('https://example.com/plan', event.user.app_metadata.plan);`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'idToken.setCustomClaim', key: 'https://example.com/roles', value: ['editor'] },
        { type: 'idToken.setCustomClaim', key: 'https://example.com/plan', value: 'pro' },
      ),
    );
  });

  test('records a copy: changing the object afterwards does not change the claim', async () => {
    const result = await runBody(
      fixture,
      `const profile = { level: 1 };
       api.idToken.setCustomClaim('https://example.com/profile', profile);
       profile.level = 99;`,
    );
    assertCompleted(
      result,
      recorded({ type: 'idToken.setCustomClaim', key: 'https://example.com/profile', value: { level: 1 } }),
    );
  });

  test('a restricted claim (sub) is dropped with a warning', async () => {
    const result = await runBody(fixture, `api.idToken.setCustomClaim('sub', 'auth0|someone-else');`);
    assertCompleted(result, []);
    assert.deepEqual(
      result.logs.map((l) => [l.level, l.message]),
      [['warn', '[tessera] claim "sub" is restricted and was ignored']],
    );
  });

  test('an undefined value records nothing and says so', async () => {
    const result = await runBody(fixture, `api.idToken.setCustomClaim('https://example.com/x', undefined);`);
    assertCompleted(result, []);
    assert.deepEqual(
      result.logs.map((l) => [l.level, l.message]),
      [['warn', '[tessera] claim "https://example.com/x" has an undefined value and was ignored']],
    );
  });

  test('a key that is not a string fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.idToken.setCustomClaim(42, 'x')`,
      'api.idToken.setCustomClaim: key must be a non-empty string (got a number)',
    );
  });

  test('a value JSON cannot carry (BigInt) fails as a TypeError in the tenant code', async () => {
    await assertRefused(
      fixture,
      `api.idToken.setCustomClaim('https://example.com/n', 10n)`,
      'api.idToken.setCustomClaim: arguments must be JSON values (Do not know how to serialize a BigInt)',
      { errorName: 'TypeError' },
    );
  });

  test('returns api (chaining) and works destructured', async () => {
    const result = await runBody(
      fixture,
      `const { setCustomClaim } = api.idToken;
       setCustomClaim('https://example.com/a', 1);
       const returned = api.idToken.setCustomClaim('https://example.com/b', 2).idToken.setCustomClaim('https://example.com/c', 3);
       console.log(returned === api);`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'idToken.setCustomClaim', key: 'https://example.com/a', value: 1 },
        { type: 'idToken.setCustomClaim', key: 'https://example.com/b', value: 2 },
        { type: 'idToken.setCustomClaim', key: 'https://example.com/c', value: 3 },
      ),
    );
    assert.deepEqual(messages(result), ['true']);
  });

  test('custom claims over 100 KB in total are a limit: the run fails even when caught', async () => {
    const result = await runBody(
      fixture,
      `const big = 'x'.repeat(60 * 1024);
       api.idToken.setCustomClaim('https://example.com/a', big);
       try { api.idToken.setCustomClaim('https://example.com/b', big); } catch {}`,
    );
    assert.equal(result.outcome, 'failed');
    if (result.outcome !== 'failed') return;
    assert.equal(result.kind, 'limit');
    assert.match(
      result.message,
      /^api\.idToken\.setCustomClaim: custom claims on the ID token would be \d+ bytes; the limit is 102400 bytes$/,
    );
  });
});
