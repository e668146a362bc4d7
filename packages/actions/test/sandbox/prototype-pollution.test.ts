import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, HOSTILE_BUDGETS, lastJson } from './helpers.ts';

// docs/security.md#7: tenant code may wreck its own realm's prototypes, but never the host's, never
// the next action's (a fresh context per action), and no api call can carry a prototype key to the host.
const fixture = useRuntime(HOSTILE_BUDGETS);

const hostPrototypes = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  push: Array.prototype.push,
  stringify: JSON.stringify,
});

const reserved = (method: string, key: string) =>
  `api.${method}: key "${key}" is a reserved JavaScript property name and cannot be used`;
const reservedInside = (method: string, key: string, at: string) =>
  `api.${method}: arguments contain the reserved key "${key}" at ${at}; __proto__, constructor and prototype cannot be used as keys`;

/** Checks, from inside a later action, that nothing of the polluting action's realm is left. */
const PRISTINE_CHECK = `console.log(JSON.stringify({
  polluted: ({}).polluted === undefined && Object.prototype.x === undefined,
  push: /\\[native code\\]/.test(String([].push)) && [1].push(2) === 2,
  json: JSON.stringify({ a: 1 }) === '{"a":1}' && JSON.parse('{"b":2}').b === 2,
  call: /\\[native code\\]/.test(String(Function.prototype.call)),
  prefs: event.user.app_metadata.prefs,
}));`;

describe('prototype pollution', () => {
  test('api calls with __proto__, constructor or prototype as a key, at any depth, are rejected', async () => {
    const before = hostPrototypes();
    const result = await fixture.run(
      handler(`
        const refused = {};
        const tries = {
          appMetadataProto: () => api.user.setAppMetadata('__proto__', { polluted: true }),
          appMetadataPrototype: () => api.user.setAppMetadata('prototype', 1),
          appMetadataNestedCtor: () => api.user.setAppMetadata('x', { constructor: { prototype: { polluted: true } } }),
          userMetadataProto: () => api.user.setUserMetadata('__proto__', 1),
          idClaimCtor: () => api.idToken.setCustomClaim('constructor', { polluted: true }),
          idClaimProto: () => api.idToken.setCustomClaim('__proto__', { polluted: true }),
          accessClaimProto: () => api.accessToken.setCustomClaim('__proto__', 1),
          ownProtoValue: () => api.user.setAppMetadata('prefs', JSON.parse('{ "__proto__": { "polluted": true } }')),
          deepProtoValue: () => api.idToken.setCustomClaim('https://t.example/c', JSON.parse('{ "a": { "__proto__": { "polluted": true } } }')),
          transactionPrototype: () => api.transaction.setMetadata('prototype', 1),
          sessionProto: () => api.session.setMetadata('__proto__', 'x'),
          samlProto: () => api.samlResponse.setAttribute('__proto__', 'x'),
        };
        for (const [name, call] of Object.entries(tries)) {
          try { call(); refused[name] = 'accepted'; } catch (error) { refused[name] = error.message; }
        }
        refused.cacheProto = api.cache.set('__proto__', 'x');
        console.log(JSON.stringify(refused));`),
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      appMetadataProto: reserved('user.setAppMetadata', '__proto__'),
      appMetadataPrototype: reserved('user.setAppMetadata', 'prototype'),
      appMetadataNestedCtor: reservedInside('user.setAppMetadata', 'constructor', 'args[1]'),
      userMetadataProto: reserved('user.setUserMetadata', '__proto__'),
      idClaimCtor: reserved('idToken.setCustomClaim', 'constructor'),
      idClaimProto: reserved('idToken.setCustomClaim', '__proto__'),
      accessClaimProto: reserved('accessToken.setCustomClaim', '__proto__'),
      ownProtoValue: reservedInside('user.setAppMetadata', '__proto__', 'args[1]'),
      deepProtoValue: reservedInside('idToken.setCustomClaim', '__proto__', 'args[1].a'),
      transactionPrototype: reserved('transaction.setMetadata', 'prototype'),
      sessionProto: reserved('session.setMetadata', '__proto__'),
      samlProto:
        'api.samlResponse.setAttribute: attribute "__proto__" is a reserved JavaScript property name and cannot be used',
      cacheProto: { type: 'error', code: 'invalid_key' },
    });
    assert.deepEqual(result.commands, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(hostPrototypes(), before);
  });

  test("a script that rewrites its realm's built-ins leaves the host and the next action untouched", async () => {
    const before = hostPrototypes();
    const result = await fixture.run([
      action(
        handler(`
          Object.prototype.polluted = true;
          Object.prototype.x = 1;
          Array.prototype.push = function () { return 'hijacked'; };
          JSON.stringify = () => '{"hijacked":true}';
          JSON.parse = () => ({ hijacked: true });
          Function.prototype.call = function () { return 'hijacked'; };
          // The api stubs captured their intrinsics first: these calls still carry exactly what was passed.
          api.user.setAppMetadata('prefs', { theme: 'dark' });
          api.idToken.setCustomClaim('https://t.example/plain', { ok: true });`),
        { name: 'polluter' },
      ),
      action(handler(PRISTINE_CHECK), { name: 'next' }),
    ]);
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(result.commands, [
      { action: 'polluter', type: 'user.setAppMetadata', key: 'prefs', value: { theme: 'dark' } },
      {
        action: 'polluter',
        type: 'idToken.setCustomClaim',
        key: 'https://t.example/plain',
        value: { ok: true },
      },
    ]);
    assert.deepEqual(lastJson(result), {
      polluted: true,
      push: true,
      json: true,
      call: true,
      prefs: { theme: 'dark' },
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(hostPrototypes(), before);
  });

  test('Object.prototype.toJSON cannot disguise a thrown error as success', async () => {
    const result = await fixture.run(
      handler(`
        Object.defineProperty(Object.prototype, 'toJSON', { value: () => ({ ok: true }), configurable: true });
        throw new Error('boom');`),
    );
    assertFailed(result, 'runtime', /^boom \(action\.js:4:\d+\)$/);
  });

  test("the tenant's next run starts from pristine built-ins", async () => {
    await fixture.run(handler('Object.prototype.polluted = true; Array.prototype.push = () => 0;'), {
      tenantId: 'tenant-p',
    });
    const result = await fixture.run(handler(PRISTINE_CHECK), { tenantId: 'tenant-p' });
    // (`prefs` is undefined: that tenant's event has no such metadata.)
    assert.deepEqual(lastJson(result), { polluted: true, push: true, json: true, call: true });
  });
});
