import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PostLoginEvent } from '@tessera/actions';
import { InvalidRequestError, type KvStore, silentLogger } from '@tessera/core';
import { createKv } from '@tessera/storage';
import { PausedLogins } from '../src/pause.ts';

/**
 * Paused logins in the real KV store (Redis when REDIS_URL is set, else in process): single use,
 * bound to one interaction, and refused once expired even while the store still holds them
 * (docs/security.md#22, #37).
 */
describe('paused logins', () => {
  let kv: KvStore;
  let paused: PausedLogins;
  const pause = (interactionUid?: string) => ({
    tenantId: 'ten_1',
    ...(interactionUid === undefined ? {} : { interactionUid }),
    transaction: {
      tenantId: 'ten_1',
      userId: 'auth0|1',
      clientId: 'c',
      protocol: 'oidc-basic-profile',
      requestedScopes: [],
      audience: undefined,
      redirectUri: undefined,
      ip: undefined,
      id: 'tx',
    },
    event: { request: {} } as unknown as PostLoginEvent,
    action: { id: 'act_1', versionId: 'v1' },
    commands: [],
    executions: [],
  });
  const refused = (promise: Promise<unknown>) =>
    assert.rejects(promise, (error) => error instanceof InvalidRequestError);

  before(() => {
    kv = createKv({ url: process.env.REDIS_URL, prefix: `test-pause-${randomUUID()}:`, log: silentLogger });
    paused = new PausedLogins(kv, 60_000);
  });
  after(() => kv.close());

  it('parks under a fresh state added to the URL, taken once by its own interaction', async () => {
    const { state, url } = await paused.park(pause('uid-a'), 'https://site.example/terms?lang=en');
    assert.match(state, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(url, `https://site.example/terms?lang=en&state=${state}`);
    await refused(paused.take('ten_1', state, 'uid-b'));
    await refused(paused.take('ten_2', state, 'uid-a'));
    const taken = await paused.take('ten_1', state, 'uid-a');
    assert.deepEqual(taken.action, { id: 'act_1', versionId: 'v1' });
    await refused(paused.take('ten_1', state, 'uid-a'));
  });

  it('of two concurrent takes exactly one wins', async () => {
    const { state } = await paused.park(pause('uid-a'), 'https://site.example/');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => paused.take('ten_1', state, 'uid-a')),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  it('refuses an expired pause even while the store still holds it', async () => {
    const { state } = await paused.park(pause('uid-a'), 'https://site.example/', Date.now() - 61_000);
    assert.ok((await kv.ttl(`post-login-pause:ten_1:${state}`)) !== undefined, 'still stored');
    await refused(paused.take('ten_1', state, 'uid-a'));
  });

  it('an SSO pause is unusable until bound, and binds once', async () => {
    const { state } = await paused.park(pause(), 'https://site.example/');
    await refused(paused.take('ten_1', state, 'uid-a'));
    await paused.bind('ten_1', state, 'uid-a');
    await refused(paused.bind('ten_1', state, 'uid-b'));
    await refused(paused.take('ten_1', state, 'uid-b'));
    assert.equal((await paused.take('ten_1', state, 'uid-a')).tenantId, 'ten_1');
  });

  it('refuses states of any other shape before they reach the store', async () => {
    for (const state of ['', 'short', 'x'.repeat(33), `${'a'.repeat(31)}/`, 'a'.repeat(10_000)]) {
      await refused(paused.take('ten_1', state, 'uid-a'));
      await refused(paused.bind('ten_1', state, 'uid-a'));
    }
  });
});
