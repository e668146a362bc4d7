import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage } from '../src/storage.ts';
import { defaultMigrationsDir } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `families-${++counter}`, domains: [] });
const records = () => storage.oidcRecords;
const now = () => Math.floor(Date.now() / 1000);

/** A refresh token's payload as oidc-provider stores it, with the `tessera` member Tessera adds. */
function token(jti: string, family: string | undefined, extra: Record<string, unknown> = {}) {
  const iat = now();
  return {
    kind: 'RefreshToken',
    jti,
    accountId: 'auth0|ada',
    clientId: 'app-1',
    grantId: 'g1',
    sessionUid: 'session-1',
    scope: 'openid offline_access read:things',
    resource: 'https://api.example.com/',
    iat,
    iiat: iat,
    exp: iat + 3600,
    ...(family === undefined
      ? {}
      : {
          tessera: {
            family,
            createdAt: iat - 60,
            rotating: true,
            expiresAt: iat + 86_400,
            idleExpiresAt: iat + 3600,
            lastExchangedAt: iat,
            device: { initialIp: '198.51.100.7', initialUserAgent: 'Browser/1', lastIp: '198.51.100.8' },
          },
        }),
    ...extra,
  };
}

const legacyId = (jti: string) => createHash('sha256').update(jti, 'utf8').digest('hex').slice(0, 32);

describe('refresh-token families', () => {
  it('lists a user’s live families once each, newest token first, never the token itself', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'secret-a1', token('secret-a1', 'fam-a'), 3600);
    // The family rotated: its first token is used, its successor names it.
    await records().consume(tenant.id, 'RefreshToken', 'secret-a1');
    await records().upsert(
      tenant.id,
      'RefreshToken',
      'secret-a2',
      token('secret-a2', 'fam-a', { rotatedFrom: 'secret-a1', rotations: 1 }),
      3600,
    );
    // A sibling issued within the reuse interval: two unconsumed tokens, one family.
    await records().upsert(tenant.id, 'RefreshToken', 'secret-a3', token('secret-a3', 'fam-a'), 3600);
    await records().upsert(tenant.id, 'RefreshToken', 'secret-b1', token('secret-b1', 'fam-b'), 3600);
    await records().upsert(
      tenant.id,
      'RefreshToken',
      'secret-c1',
      token('secret-c1', 'fam-c', { accountId: 'auth0|bob' }),
      3600,
    );

    const { families, next } = await records().listRefreshTokenFamilies(tenant.id, 'auth0|ada', { take: 10 });
    assert.equal(next, undefined);
    assert.deepEqual(
      families.map((f) => f.id),
      ['fam-a', 'fam-b'],
    );
    const a = families[0]!;
    assert.deepEqual(
      { ...a, tessera: undefined },
      {
        id: 'fam-a',
        userId: 'auth0|ada',
        clientId: 'app-1',
        sessionId: 'session-1',
        grantId: 'g1',
        scope: 'openid offline_access read:things',
        audience: 'https://api.example.com/',
        issuedAt: a.issuedAt,
        familyIssuedAt: a.familyIssuedAt,
        expiresAt: a.expiresAt,
        tessera: undefined,
      },
    );
    assert.equal(a.tessera?.family, 'fam-a');
    assert.equal(a.tessera?.rotating, true);
    assert.equal(a.tessera?.device?.initialIp, '198.51.100.7');
    assert.ok(!JSON.stringify(families).includes('secret-'), 'no token value, nor rotatedFrom');
  });

  it('pages by id with from (exclusive) and take, and filters by client', async () => {
    const tenant = await newTenant();
    for (const family of ['f3', 'f1', 'F2', 'f4']) {
      await records().upsert(tenant.id, 'RefreshToken', `t-${family}`, token(`t-${family}`, family), 3600);
    }
    await records().upsert(
      tenant.id,
      'RefreshToken',
      't-other-app',
      token('t-other-app', 'f0', { clientId: 'app-2' }),
      3600,
    );
    const list = (query: { from?: string; take: number; clientId?: string }) =>
      records().listRefreshTokenFamilies(tenant.id, 'auth0|ada', query);
    // Bytewise: upper case before lower case, on every database.
    const first = await list({ take: 2 });
    assert.deepEqual(
      first.families.map((f) => f.id),
      ['F2', 'f0'],
    );
    assert.equal(first.next, 'f0');
    const second = await list({ take: 2, from: first.next });
    assert.deepEqual(
      second.families.map((f) => f.id),
      ['f1', 'f3'],
    );
    const last = await list({ take: 2, from: second.next });
    assert.deepEqual(
      last.families.map((f) => f.id),
      ['f4'],
    );
    assert.equal(last.next, undefined);
    const app2 = await list({ take: 10, clientId: 'app-2' });
    assert.deepEqual(
      app2.families.map((f) => f.id),
      ['f0'],
    );
  });

  it('names a token issued before families by a hash of it, and finds it by that name', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'old-secret', token('old-secret', undefined), 3600);
    const { families } = await records().listRefreshTokenFamilies(tenant.id, 'auth0|ada', { take: 10 });
    assert.deepEqual(
      families.map((f) => f.id),
      [legacyId('old-secret')],
    );
    assert.equal(families[0]!.tessera, undefined);
    const found = await records().findRefreshTokenFamily(tenant.id, legacyId('old-secret'));
    assert.equal(found?.clientId, 'app-1');
    // Other models carry no family.
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1', accountId: 'auth0|ada' });
    const [grant] = await storage.db.sql.query<{ family_id: unknown; account_id: unknown }>(
      `SELECT family_id, account_id FROM oidc_records WHERE tenant_id = $1 AND model = 'Grant'`,
      [tenant.id],
    );
    assert.deepEqual(grant, { family_id: null, account_id: 'auth0|ada' });
  });

  it('finds only live, unused tokens of a family, in its own tenant', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'x1', token('x1', 'fam-x'), 3600);
    assert.equal((await records().findRefreshTokenFamily(tenant.id, 'fam-x'))?.id, 'fam-x');
    assert.equal(await records().findRefreshTokenFamily(other.id, 'fam-x'), undefined, 'other tenant');
    assert.equal(await records().findRefreshTokenFamily(tenant.id, 'x1'), undefined, 'never by token');
    await records().consume(tenant.id, 'RefreshToken', 'x1');
    assert.equal(await records().findRefreshTokenFamily(tenant.id, 'fam-x'), undefined, 'used');
    await records().upsert(tenant.id, 'RefreshToken', 'y1', token('y1', 'fam-y'), 3600);
    await storage.db.sql.query(
      `UPDATE oidc_records SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND id = 'y1'`,
      [tenant.id],
    );
    assert.equal(await records().findRefreshTokenFamily(tenant.id, 'fam-y'), undefined, 'expired');
    const { families } = await records().listRefreshTokenFamilies(tenant.id, 'auth0|ada', { take: 10 });
    assert.deepEqual(families, []);
  });

  it('deletes a family whole, and a user’s tokens, leaving others’ and other records', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'a1', token('a1', 'fam-a'), 3600);
    await records().consume(tenant.id, 'RefreshToken', 'a1');
    await records().upsert(tenant.id, 'RefreshToken', 'a2', token('a2', 'fam-a'), 3600);
    await records().upsert(tenant.id, 'RefreshToken', 'b1', token('b1', 'fam-b'), 3600);
    await records().upsert(
      tenant.id,
      'RefreshToken',
      'c1',
      token('c1', 'fam-c', { accountId: 'auth0|bob' }),
      3600,
    );
    await records().upsert(tenant.id, 'Grant', 'g1', { jti: 'g1', accountId: 'auth0|ada' });

    assert.equal(await records().deleteRefreshTokenFamily(tenant.id, 'fam-a'), 2, 'used and current');
    assert.equal(await records().find(tenant.id, 'RefreshToken', 'a2'), undefined);
    assert.ok(await records().find(tenant.id, 'RefreshToken', 'b1'));
    assert.equal(await records().deleteRefreshTokenFamily(tenant.id, 'fam-a'), 0, 'idempotent');

    assert.equal(await records().deleteRefreshTokensOf(tenant.id, 'auth0|ada'), 1);
    assert.equal(await records().find(tenant.id, 'RefreshToken', 'b1'), undefined);
    assert.ok(await records().find(tenant.id, 'RefreshToken', 'c1'), 'another user’s');
    assert.ok(await records().find(tenant.id, 'Grant', 'g1'), 'the grant stays');
  });

  it('the migration fills the columns of rows stored before it, with the same names upsert gives', async () => {
    const tenant = await newTenant();
    await records().upsert(tenant.id, 'RefreshToken', 'pre-1', token('pre-1', 'fam-pre'), 3600);
    await records().upsert(tenant.id, 'RefreshToken', 'pre-2', token('pre-2', undefined), 3600);
    await records().upsert(tenant.id, 'Grant', 'pre-g', { jti: 'pre-g', accountId: 'auth0|ada' });
    const columns = () =>
      storage.db.sql.query<{ id: string; account_id: string | null; family_id: string | null }>(
        `SELECT id, account_id, family_id FROM oidc_records WHERE tenant_id = $1 ORDER BY id`,
        [tenant.id],
      );
    const written = await columns();
    await storage.db.sql.query(
      `UPDATE oidc_records SET account_id = NULL, family_id = NULL WHERE tenant_id = $1`,
      [tenant.id],
    );
    const migration = await readFile(
      join(defaultMigrationsDir, '20261215090000_oidc_record_owners', 'migration.sql'),
      'utf8',
    );
    // Its UPDATE statements, run again on these rows (the ALTER and CREATE parts already ran).
    for (const statement of migration.split(';').filter((s) => /^\s*(--[^\n]*\n\s*)*UPDATE/.test(s))) {
      await storage.db.sql.exec(statement.replace('WHERE', `WHERE "tenant_id" = '${tenant.id}' AND`));
    }
    assert.deepEqual(await columns(), written);
    assert.deepEqual(
      written.map((row) => row.family_id),
      ['fam-pre', legacyId('pre-2'), null],
    );
  });
});
