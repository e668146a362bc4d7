import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KvStore } from '@tessera/core';
import { createSessionAdmin } from '@tessera/oidc';
import { createTestKv, openTestStorage, type TestKv } from '@tessera/testing';
import { createAdapterFactory } from '../../../../packages/oidc/src/adapter.ts';

/**
 * The per-user session index behind `/users/{id}/sessions` (packages/oidc/src/session-index.ts),
 * on the real stores: what a session save costs on the hot path (every SSO login saves the session),
 * that a session an administrator ended is not stored again by a request that still held it, that
 * entries of sessions gone are dropped when read, and how a stored payload becomes Auth0's fields.
 */

/** The KV store, counting the round trips made through it (and through every scope of it). */
function counting(kv: KvStore, counter: { calls: string[] }): KvStore {
  return new Proxy(kv, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      if (name === 'scoped') return (prefix: string) => counting(target.scoped(prefix), counter);
      return (...args: unknown[]) => {
        counter.calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
}

const now = () => Math.floor(Date.now() / 1000);

describe('the session index', () => {
  let testKv: TestKv;
  let storage: Awaited<ReturnType<typeof openTestStorage>>;
  const counter = { calls: [] as string[] };
  let tenantId: string;
  let sessions: ReturnType<ReturnType<typeof createAdapterFactory>>;
  let admin: ReturnType<typeof createSessionAdmin>;

  before(async () => {
    testKv = await createTestKv();
    storage = await openTestStorage();
    tenantId = (await storage.storage.tenants.create({ name: 'session-index', domains: [] })).id;
    const kv = counting(testKv.kv, counter);
    // The scope providers.ts gives the tenant's adapter.
    sessions = createAdapterFactory({
      tenantId,
      storage: storage.storage,
      kv: kv.scoped(`t:${tenantId}:`),
      inertClientSecret: 'unused',
      revokeGrant: async () => {},
    })('Session');
    admin = createSessionAdmin({ storage: storage.storage, kv });
  });
  after(async () => {
    await testKv?.cleanup();
    await storage?.drop();
  });

  /** A signed-in session as oidc-provider saves it, with Tessera's record (`tessera`). */
  const payload = (jti: string, uid: string, extra: Record<string, unknown> = {}) => ({
    kind: 'Session',
    jti,
    uid,
    accountId: 'auth0|ada',
    loginTs: now() - 30,
    iat: now(),
    exp: now() + 3600,
    amr: ['pwd'],
    authorizations: { 'app-1': { sid: 'sid-1', grantId: 'grant-1' } },
    tessera: {
      createdAt: now() - 60,
      updatedAt: now(),
      lastInteractedAt: now(),
      authenticatedAt: now() - 30,
      expiresAt: now() + 86_400,
      idleExpiresAt: now() + 3600,
      device: { initialIp: '198.51.100.1', lastIp: '198.51.100.2', lastUserAgent: 'Browser/2' },
      metadata: { device: 'kiosk' },
      methods: [{ name: 'pwd', timestamp: now() - 30 }],
    },
    ...extra,
  });

  it('costs one read more than the session itself, and one write only when the entry changes', async () => {
    counter.calls = [];
    await sessions.upsert('jti-1', payload('jti-1', 'uid-1'), 3600);
    assert.deepEqual(counter.calls, ['get', 'compareAndSet', 'set', 'set'], 'first save: indexed');
    counter.calls = [];
    await sessions.upsert('jti-1', payload('jti-1', 'uid-1'), 3600);
    assert.deepEqual(counter.calls, ['get', 'set', 'set'], 'saved again: the entry already covers it');
    // A session saved before it is signed in (an interaction in progress) is not indexed at all.
    counter.calls = [];
    await sessions.upsert('jti-anon', { kind: 'Session', jti: 'jti-anon', uid: 'uid-anon' }, 600);
    assert.deepEqual(counter.calls, ['set', 'set']);
  });

  it('shows Auth0’s fields from Tessera’s record, or from oidc-provider’s when there is none', async () => {
    const info = await admin.find(tenantId, 'uid-1');
    const p = payload('jti-1', 'uid-1');
    assert.deepEqual(info, {
      id: 'uid-1',
      userId: 'auth0|ada',
      createdAt: p.tessera.createdAt,
      updatedAt: p.tessera.updatedAt,
      authenticatedAt: p.tessera.authenticatedAt,
      lastInteractedAt: p.tessera.lastInteractedAt,
      idleExpiresAt: p.tessera.idleExpiresAt,
      expiresAt: p.tessera.expiresAt,
      device: p.tessera.device,
      clientIds: ['app-1'],
      methods: p.tessera.methods,
      persistent: true,
      metadata: { device: 'kiosk' },
    });
    const older = payload('jti-2', 'uid-2', { tessera: undefined, transient: true });
    await sessions.upsert('jti-2', older, 3600);
    const fallback = await admin.find(tenantId, 'uid-2');
    assert.equal(fallback?.createdAt, older.loginTs);
    assert.equal(fallback?.expiresAt, older.exp);
    assert.equal(fallback?.idleExpiresAt, older.exp);
    assert.deepEqual(fallback?.methods, [{ name: 'pwd', timestamp: older.loginTs }]);
    assert.equal(fallback?.persistent, false);
    assert.deepEqual(fallback?.metadata, {});
    assert.equal(await admin.find(tenantId, 'uid-anon'), undefined, 'not signed in: no session of a user');
    assert.equal(await admin.find(tenantId, 'jti-1'), undefined, 'never by its cookie value');
  });

  it('drops entries whose session is gone when the list is read', async () => {
    await sessions.upsert('jti-3', payload('jti-3', 'uid-3'), 3600);
    await sessions.destroy('jti-3');
    const listed = await admin.listByUser(tenantId, 'auth0|ada');
    assert.deepEqual(
      listed.map((s) => s.id),
      ['uid-1', 'uid-2'],
    );
    const index = JSON.parse((await testKv.kv.get(`t:${tenantId}:oidc:sessions-of:auth0|ada`)) ?? '{}');
    assert.deepEqual(Object.keys(index).sort(), ['uid-1', 'uid-2']);
  });

  it('a session ended by an administrator is not stored again by a request that still held it', async () => {
    assert.equal(await admin.revoke(tenantId, 'uid-1', { refreshTokens: false }), true);
    assert.equal(await admin.find(tenantId, 'uid-1'), undefined);
    // The late save of a request that loaded the session before it ended.
    await sessions.upsert('jti-1b', payload('jti-1b', 'uid-1'), 3600);
    assert.equal(await sessions.find('jti-1b'), undefined, 'not stored');
    assert.equal(await admin.find(tenantId, 'uid-1'), undefined);
    assert.equal(await admin.revoke(tenantId, 'uid-1', { refreshTokens: false }), false, 'already ended');
    assert.equal(await admin.revokeByUser(tenantId, 'auth0|ada', { refreshTokens: false }), 1);
    assert.deepEqual(await admin.listByUser(tenantId, 'auth0|ada'), []);
  });
});
