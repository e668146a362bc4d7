import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyToEvent } from '../../src/commands/apply-to-event.ts';
import type { Command } from '../../src/commands/types.ts';

function event() {
  return {
    user: { user_id: 'auth0|1', app_metadata: { plan: 'free', keep: 1 }, user_metadata: {} },
    transaction: { protocol: 'oidc-basic-profile', metadata: {} },
    session: { id: 's1', metadata: { device: 'laptop' } },
  };
}

const by = (body: Record<string, unknown>) => ({ action: 'a', ...body }) as Command;

describe('applyToEvent', () => {
  it('sets and deletes user and app metadata keys', () => {
    const e = event();
    applyToEvent(e, [
      by({ type: 'user.setAppMetadata', key: 'plan', value: 'gold' }),
      by({ type: 'user.setAppMetadata', key: 'keep', value: null }),
      by({ type: 'user.setUserMetadata', key: 'lang', value: { primary: 'fr' } }),
    ]);
    assert.deepEqual(e.user.app_metadata, { plan: 'gold' });
    assert.deepEqual(e.user.user_metadata, { lang: { primary: 'fr' } });
  });

  it('creates a missing metadata object', () => {
    const e: { user: Record<string, unknown>; transaction: Record<string, unknown> } = {
      user: { user_id: 'x' },
      transaction: {},
    };
    applyToEvent(e, [
      by({ type: 'user.setUserMetadata', key: 'k', value: 1 }),
      by({ type: 'transaction.setMetadata', key: 't', value: [1] }),
    ]);
    assert.deepEqual(e.user.user_metadata, { k: 1 });
    assert.deepEqual(e.transaction.metadata, { t: [1] });
  });

  it('sets, deletes and evicts session metadata when there is a session', () => {
    const e = event();
    applyToEvent(e, [
      by({ type: 'session.setMetadata', key: 'country', value: 'NZ' }),
      by({ type: 'session.deleteMetadata', key: 'device' }),
    ]);
    assert.deepEqual(e.session.metadata, { country: 'NZ' });
    applyToEvent(e, [by({ type: 'session.evictMetadata' })]);
    assert.deepEqual(e.session.metadata, {});
    const noSession: Record<string, unknown> = { user: {} };
    applyToEvent(noSession, [by({ type: 'session.setMetadata', key: 'k', value: 'v' })]);
    assert.equal(noSession.session, undefined);
  });

  it('deletes transaction metadata on null', () => {
    const e = event();
    applyToEvent(e, [
      by({ type: 'transaction.setMetadata', key: 'step', value: 2 }),
      by({ type: 'transaction.setMetadata', key: 'other', value: 'x' }),
      by({ type: 'transaction.setMetadata', key: 'step', value: null }),
    ]);
    assert.deepEqual(e.transaction.metadata, { other: 'x' });
  });

  it('copies values, so the event and the commands never share an object', () => {
    const e = event();
    const value = { nested: { n: 1 } };
    const commands = [by({ type: 'user.setAppMetadata', key: 'obj', value })];
    applyToEvent(e, commands);
    (e.user.app_metadata as unknown as { obj: { nested: { n: number } } }).obj.nested.n = 2;
    assert.equal(value.nested.n, 1);
  });

  it('ignores commands that do not change the event', () => {
    const e = event();
    const before = structuredClone(e);
    applyToEvent(e, [
      by({ type: 'idToken.setCustomClaim', key: 'k', value: 1 }),
      by({ type: 'access.deny', reason: 'x' }),
      by({ type: 'redirect.sendUserTo', url: 'https://x.example' }),
    ]);
    assert.deepEqual(e, before);
  });

  it('never writes reserved keys, even if a command carries one', () => {
    const e = event();
    applyToEvent(e, [
      by({ type: 'user.setAppMetadata', key: '__proto__', value: { polluted: true } }),
      by({ type: 'transaction.setMetadata', key: 'constructor', value: { prototype: { polluted: true } } }),
      by({ type: 'session.setMetadata', key: 'prototype', value: 'x' }),
    ]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(e.user.app_metadata), Object.prototype);
    assert.deepEqual(Object.keys(e.user.app_metadata), ['plan', 'keep']);
    assert.equal(Object.hasOwn(e.transaction.metadata, 'constructor'), false);
    assert.deepEqual(e.session.metadata, { device: 'laptop' });
  });

  it('writes own data properties, even over a setter on the metadata object', () => {
    let called = false;
    const metadata = {};
    Object.defineProperty(metadata, 'trap', {
      set() {
        called = true;
      },
      configurable: true,
    });
    const e = { user: { app_metadata: metadata } };
    applyToEvent(e, [by({ type: 'user.setAppMetadata', key: 'trap', value: 1 })]);
    assert.equal(called, false);
    assert.equal((e.user.app_metadata as Record<string, unknown>).trap, 1);
  });
});
