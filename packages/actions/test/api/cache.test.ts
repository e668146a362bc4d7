import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useRuntime } from '../runtime/helpers.ts';
import { assertCompleted, messages, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

/** Each test uses its own tenant: the cache is per tenant, so tests cannot see each other's entries. */
const inTenant = (tenantId: string, body: string) => runBody(fixture, body, { tenantId });
const DAY_MS = 24 * 60 * 60 * 1000;

describe('api.cache within one run', () => {
  test('set, get and delete work synchronously and record no command', async () => {
    const result = await inTenant(
      'cache-basic',
      `console.log(JSON.stringify(api.cache.set('token', 'abc')));
       const entry = api.cache.get('token');
       console.log(entry.value, typeof entry.expires_at);
       console.log(JSON.stringify(api.cache.delete('token')), api.cache.get('token'));`,
    );
    assertCompleted(result, []);
    assert.deepEqual(messages(result), ['{"type":"success"}', 'abc number', '{"type":"success"} undefined']);
  });

  test('without a lifetime an entry lives 24 hours; longer lifetimes are cut to 24 hours', async () => {
    const before = Date.now();
    const result = await inTenant(
      'cache-default-ttl',
      `api.cache.set('a', '1'); api.cache.set('b', '2', { ttl: 7 * 24 * 3600 * 1000 });
       console.log(api.cache.get('a').expires_at, api.cache.get('b').expires_at);`,
    );
    const [a, b] = (messages(result)[0] ?? '').split(' ').map(Number);
    for (const at of [a, b]) {
      assert.ok(at !== undefined && at >= before + DAY_MS && at <= Date.now() + DAY_MS, String(at));
    }
  });

  test('invalid arguments come back as error results, not exceptions', async () => {
    const result = await inTenant(
      'cache-invalid',
      `for (const outcome of [
         api.cache.set('k', 42),
         api.cache.set('', 'v'),
         api.cache.set('__proto__', 'v'),
         api.cache.set('k', 'v', { ttl: -1 }),
         api.cache.set('k', 'v', { expires_at: Date.now() - 1000 }),
         api.cache.delete(''),
       ]) console.log(JSON.stringify(outcome));
       console.log(api.cache.get(42), api.cache.get('missing'));`,
    );
    assertCompleted(result, []);
    assert.deepEqual(messages(result), [
      '{"type":"error","code":"invalid_value"}',
      '{"type":"error","code":"invalid_key"}',
      '{"type":"error","code":"invalid_key"}',
      '{"type":"error","code":"invalid_ttl"}',
      '{"type":"error","code":"invalid_expires_at"}',
      '{"type":"error","code":"invalid_key"}',
      'undefined undefined',
    ]);
  });
});

describe('api.cache across runs', () => {
  test('an entry set in one run is there in the next (through the KV store), and a delete sticks', async () => {
    await inTenant('cache-next', `api.cache.set('token', 'tok_123');`);
    const second = await inTenant(
      'cache-next',
      `console.log(api.cache.get('token')?.value); api.cache.delete('token');`,
    );
    assert.deepEqual(messages(second), ['tok_123']);
    const third = await inTenant('cache-next', `console.log(api.cache.get('token'));`);
    assert.deepEqual(messages(third), ['undefined']);
  });

  test('another tenant does not see it', async () => {
    await inTenant('cache-tenant-a', `api.cache.set('shared-name', 'tenant a only');`);
    const other = await inTenant('cache-tenant-b', `console.log(api.cache.get('shared-name'));`);
    assert.deepEqual(messages(other), ['undefined']);
    const same = await inTenant('cache-tenant-a', `console.log(api.cache.get('shared-name')?.value);`);
    assert.deepEqual(messages(same), ['tenant a only']);
  });

  test('it is stored per trigger: an entry of another trigger is not seen by post-login', async () => {
    const store = fixture.kv.kv.scoped('actions-cache:');
    await inTenant('cache-trigger', `api.cache.set('mine', 'post-login value');`);
    const stored = JSON.parse((await store.get('cache-trigger:post-login')) ?? '{}');
    assert.equal(stored.mine?.value, 'post-login value');
    const farFuture = Date.now() + 60_000;
    await store.set(
      'cache-trigger:credentials-exchange',
      JSON.stringify({ theirs: { value: 'm2m value', expires_at: farFuture } }),
      60_000,
    );
    const result = await inTenant(
      'cache-trigger',
      `console.log(api.cache.get('theirs'), api.cache.get('mine')?.value);`,
    );
    assert.deepEqual(messages(result), ['undefined post-login value']);
  });

  test('ttl (ms) expires the entry: visible at once, gone after the ttl', async () => {
    const first = await inTenant(
      'cache-ttl',
      `api.cache.set('short', 'lived', { ttl: 200 }); console.log(api.cache.get('short').value);`,
    );
    assert.deepEqual(messages(first), ['lived']);
    await sleep(300);
    const later = await inTenant('cache-ttl', `console.log(api.cache.get('short'));`);
    assert.deepEqual(messages(later), ['undefined']);
  });

  test('expires_at (ms epoch) is kept exactly and returned by get', async () => {
    const at = Date.now() + 60_000;
    await inTenant('cache-expires-at', `api.cache.set('k', 'v', { expires_at: ${at} });`);
    const result = await inTenant('cache-expires-at', `console.log(JSON.stringify(api.cache.get('k')));`);
    assert.deepEqual(messages(result), [JSON.stringify({ value: 'v', expires_at: at })]);
  });
});

describe('api.cache limits', () => {
  test('a key over 64 bytes is refused, counting bytes, not characters', async () => {
    const result = await inTenant(
      'cache-key-limit',
      `console.log(JSON.stringify(api.cache.set('k'.repeat(64), 'ok')), JSON.stringify(api.cache.set('é'.repeat(33), 'v')));`,
    );
    assert.deepEqual(messages(result), ['{"type":"success"} {"type":"error","code":"key_too_long"}']);
  });

  test('a value over 4 KB is refused', async () => {
    const result = await inTenant(
      'cache-value-limit',
      `console.log(JSON.stringify(api.cache.set('v', 'x'.repeat(4097))), api.cache.get('v'));`,
    );
    assert.deepEqual(messages(result), ['{"type":"error","code":"value_too_large"} undefined']);
  });

  test('the 21st entry is refused, counting the entries stored by earlier runs', async () => {
    await inTenant('cache-entries', `for (let i = 1; i <= 20; i++) api.cache.set('k' + i, 'v');`);
    const result = await inTenant(
      'cache-entries',
      `console.log(JSON.stringify(api.cache.set('k21', 'v')), JSON.stringify(api.cache.set('k1', 'replaced')));`,
    );
    assert.deepEqual(messages(result), ['{"type":"error","code":"too_many_entries"} {"type":"success"}']);
  });

  test('more than 8 KB in total is refused', async () => {
    const result = await inTenant(
      'cache-total',
      `const big = 'x'.repeat(4000);
       console.log(JSON.stringify(api.cache.set('a', big)), JSON.stringify(api.cache.set('b', big)), JSON.stringify(api.cache.set('c', big)));`,
    );
    assert.deepEqual(messages(result), [
      '{"type":"success"} {"type":"success"} {"type":"error","code":"cache_full"}',
    ]);
  });
});
