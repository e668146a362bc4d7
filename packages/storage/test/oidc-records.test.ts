import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `oidc-${++counter}`, domains: [] });
const records = () => storage.oidcRecords;

/** Moves a row's expiry into the past, as time passing would (the row stays stored). */
const expire = (tenantId: string, model: string, id: string) =>
  storage.db.sql.query(
    `UPDATE oidc_records SET expires_at = now() - interval '1 second'
      WHERE tenant_id = $1 AND model = $2 AND id = $3`,
    [tenantId, model, id],
  );

describe('oidc records', () => {
  it('stores a payload and finds it by id, uid and user code, per tenant and model', async () => {
    const tenant = await newTenant();
    const payload = {
      kind: 'RefreshToken',
      jti: 'rt1',
      grantId: 'g1',
      uid: 'u1',
      userCode: 'ABCD-EFGH',
      nested: { a: [1, 2] },
    };
    await records().upsert(tenant.id, 'RefreshToken', 'rt1', payload, 3600);
    assert.deepEqual(await records().find(tenant.id, 'RefreshToken', 'rt1'), payload);
    assert.deepEqual(await records().findByUid(tenant.id, 'RefreshToken', 'u1'), payload);
    assert.deepEqual(await records().findByUserCode(tenant.id, 'RefreshToken', 'ABCD-EFGH'), payload);
    assert.equal(await records().find(tenant.id, 'Grant', 'rt1'), undefined, 'another model');
    assert.equal(
      await records().find((await newTenant()).id, 'RefreshToken', 'rt1'),
      undefined,
      'another tenant',
    );

    const [row] = await storage.db.sql.query<Record<string, unknown>>(
      `SELECT grant_id, uid, user_code, expires_at > now() + interval '59 minutes' AS later,
              expires_at < now() + interval '61 minutes' AS sooner
         FROM oidc_records WHERE tenant_id = $1 AND id = 'rt1'`,
      [tenant.id],
    );
    assert.deepEqual(row, { grant_id: 'g1', uid: 'u1', user_code: 'ABCD-EFGH', later: true, sooner: true });
  });

  it('replaces the payload on a second upsert, and keeps a record without expiry forever', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1', v: 1 });
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1', v: 2 });
    assert.deepEqual(await records().find(tenant.id, 'Grant', 'g1'), { jti: 'g1', v: 2 });
    // oidc-provider leaves unset members as undefined: stored as JSON, they are simply absent.
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1', v: 3, unset: undefined });
    assert.deepEqual(await records().find(tenant.id, 'Grant', 'g1'), { jti: 'g1', v: 3 });
    const [row] = await storage.db.sql.query<{ expires_at: unknown }>(
      `SELECT expires_at FROM oidc_records WHERE tenant_id = $1 AND id = 'g1'`,
      [tenant.id],
    );
    assert.equal(row?.expires_at, null);
  });

  it('does not return an expired record, even while it is still stored', async () => {
    const tenant = await newTenant();
    await records().upsert(
      tenant.id,
      'RefreshToken',
      'old',
      { jti: 'old', uid: 'u-old', userCode: 'C-OLD' },
      60,
    );
    await expire(tenant.id, 'RefreshToken', 'old');
    assert.equal(await records().find(tenant.id, 'RefreshToken', 'old'), undefined);
    assert.equal(await records().findByUid(tenant.id, 'RefreshToken', 'u-old'), undefined);
    assert.equal(await records().findByUserCode(tenant.id, 'RefreshToken', 'C-OLD'), undefined);
    assert.equal(await records().consume(tenant.id, 'RefreshToken', 'old'), false, 'nor consume it');
  });

  it('consumes once: `consumed` appears as epoch seconds, a second consume fails', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'rt', { jti: 'rt' }, 60);
    assert.equal(
      await records().consume((await newTenant()).id, 'RefreshToken', 'rt'),
      false,
      'other tenant',
    );
    assert.equal((await records().find(tenant.id, 'RefreshToken', 'rt'))?.consumed, undefined);
    const before = Math.floor(Date.now() / 1000);
    assert.equal(await records().consume(tenant.id, 'RefreshToken', 'rt'), true);
    const found = await records().find(tenant.id, 'RefreshToken', 'rt');
    assert.equal(typeof found?.consumed, 'number');
    assert.ok(Math.abs((found?.consumed as number) - before) <= 5);
    assert.equal(await records().consume(tenant.id, 'RefreshToken', 'rt'), false);
    assert.equal(await records().consume(tenant.id, 'RefreshToken', 'missing'), false);
    await records().upsert(tenant.id, 'RefreshToken', 'rt', { jti: 'rt', saved: 'again' }, 60);
    assert.equal(
      await records().consume(tenant.id, 'RefreshToken', 'rt'),
      false,
      're-saving does not reset it',
    );
    assert.equal(typeof (await records().find(tenant.id, 'RefreshToken', 'rt'))?.consumed, 'number');
  });

  it('lets exactly one of 20 concurrent consumers win', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'AuthorizationCode', 'code', { jti: 'code', grantId: 'g' }, 60);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => records().consume(tenant.id, 'AuthorizationCode', 'code')),
    );
    assert.equal(results.filter(Boolean).length, 1, `${storage.kind}: ${results}`);
  });

  it('destroys one record, and revokes every record of a grant whatever its model', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1' });
    await records().upsert(tenant.id, 'RefreshToken', 'rt1', { grantId: 'g1' }, 60);
    await records().upsert(tenant.id, 'AuthorizationCode', 'c1', { grantId: 'g1' }, 60);
    await records().upsert(tenant.id, 'RefreshToken', 'rt2', { grantId: 'g2' }, 60);
    await records().upsert(other.id, 'RefreshToken', 'rt1', { grantId: 'g1' }, 60);

    await records().revokeByGrantId(tenant.id, 'g1');
    assert.equal(await records().find(tenant.id, 'RefreshToken', 'rt1'), undefined);
    assert.equal(await records().find(tenant.id, 'AuthorizationCode', 'c1'), undefined);
    assert.deepEqual(await records().find(tenant.id, 'RefreshToken', 'rt2'), { grantId: 'g2' });
    assert.deepEqual(
      await records().find(other.id, 'RefreshToken', 'rt1'),
      { grantId: 'g1' },
      'other tenant',
    );
    // The Grant itself carries no grantId member: oidc-provider destroys it by id.
    await records().destroy(tenant.id, 'Grant', 'g1');
    assert.equal(await records().find(tenant.id, 'Grant', 'g1'), undefined);
    await records().destroy(tenant.id, 'Grant', 'never-existed');
  });

  it('sweeps rows expired before a given time, across tenants, and only those', async () => {
    const a = await newTenant();
    const b = await newTenant();
    await records().upsert(a.id, 'RefreshToken', 'gone', {}, 60);
    await records().upsert(b.id, 'RefreshToken', 'gone', {}, 60);
    await records().upsert(a.id, 'RefreshToken', 'live', {}, 3600);
    await records().upsert(a.id, 'Grant', 'forever', {});
    await expire(a.id, 'RefreshToken', 'gone');
    await expire(b.id, 'RefreshToken', 'gone');
    const removed = await records().deleteExpired(new Date());
    assert.ok(removed >= 2, `removed ${removed}`);
    const [left] = await storage.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM oidc_records WHERE tenant_id IN ($1, $2)`,
      [a.id, b.id],
    );
    assert.equal(left?.n, 2);
    assert.ok(await records().find(a.id, 'RefreshToken', 'live'));
    assert.ok(await records().find(a.id, 'Grant', 'forever'));
  });
});
