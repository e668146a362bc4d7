import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage, Tenant } from '../src/index.ts';

const POST_LOGIN = [{ id: 'post-login', version: 'v3' }];
const code = (n: number) => `exports.onExecutePostLogin = async () => { /* ${n} */ };`;

describe('actions: versions, bindings and secrets sealed at rest', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  let tenant: Tenant;
  let other: Tenant;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
    tenant = await storage.tenants.create({ name: 'acts', domains: ['acts.test'] });
    other = await storage.tenants.create({ name: 'acts-other', domains: ['acts-other.test'] });
  });
  after(() => drop());

  it('never stores a secret value in plain text, and returns only secret names from get', async () => {
    const action = await storage.actions.create(tenant.id, {
      name: 'with-secret',
      code: code(1),
      supportedTriggers: POST_LOGIN,
      secrets: [{ name: 'API_KEY', value: 'sk_live_plaintext_marker' }],
    });
    const [row] = await storage.db.sql.query<{ secrets_encrypted: string }>(
      'SELECT secrets_encrypted FROM actions WHERE id = $1',
      [action.id],
    );
    assert.ok(row?.secrets_encrypted.startsWith('v1.'));
    assert.ok(!row?.secrets_encrypted.includes('sk_live_plaintext_marker'));
    const read = await storage.actions.get(tenant.id, action.id);
    assert.deepEqual(read?.secretNames, ['API_KEY']);
    assert.ok(!JSON.stringify(read).includes('sk_live_plaintext_marker'));
    await storage.actions.deploy(tenant.id, action.id);
    const versions = await storage.db.sql.query<{ secrets_encrypted: string }>(
      'SELECT secrets_encrypted FROM action_versions WHERE action_id = $1',
      [action.id],
    );
    assert.ok(versions.every((v) => !v.secrets_encrypted.includes('sk_live_plaintext_marker')));
  });

  it('gives the trigger its bound actions in order, each at its deployed version with only its own secrets', async () => {
    const a = await storage.actions.create(tenant.id, {
      name: 'a',
      code: code(2),
      supportedTriggers: POST_LOGIN,
      secrets: [{ name: 'S', value: 'secret-of-a' }],
    });
    const b = await storage.actions.create(tenant.id, {
      name: 'b',
      code: code(3),
      supportedTriggers: POST_LOGIN,
      secrets: [{ name: 'S', value: 'secret-of-b' }],
    });
    const va = await storage.actions.deploy(tenant.id, a.id);
    const vb = await storage.actions.deploy(tenant.id, b.id);
    assert.equal(va.number, 1);
    await storage.actions.bind(tenant.id, 'post-login', [b.id, a.id]);
    const bound = await storage.actions.deployedForTrigger(tenant.id, 'post-login');
    assert.deepEqual(bound, [
      { id: b.id, name: 'b', versionId: vb.versionId, code: code(3), secrets: { S: 'secret-of-b' } },
      { id: a.id, name: 'a', versionId: va.versionId, code: code(2), secrets: { S: 'secret-of-a' } },
    ]);
    const again = await storage.actions.deploy(tenant.id, a.id);
    assert.equal(again.number, 2);
    assert.deepEqual(await storage.actions.deployedForTrigger(other.id, 'post-login'), []);
  });

  it('refuses a sealed secret copied into another action or tenant (the purpose binds both)', async () => {
    const source = await storage.actions.create(tenant.id, {
      name: 'src',
      code: code(4),
      supportedTriggers: POST_LOGIN,
      secrets: [{ name: 'K', value: 'v' }],
    });
    const target = await storage.actions.create(other.id, {
      name: 'dst',
      code: code(5),
      supportedTriggers: POST_LOGIN,
    });
    await storage.actions.deploy(other.id, target.id);
    await storage.db.sql.query(
      'UPDATE action_versions SET secrets_encrypted = (SELECT secrets_encrypted FROM actions WHERE id = $1) WHERE action_id = $2',
      [source.id, target.id],
    );
    await storage.actions.bind(other.id, 'post-login', [target.id]);
    await assert.rejects(storage.actions.deployedForTrigger(other.id, 'post-login'));
  });

  it('rejects bad secrets and bindings without writing anything', async () => {
    const before = await storage.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM actions');
    const many = Array.from({ length: 31 }, (_, i) => ({ name: `S${i}`, value: 'x' }));
    for (const secrets of [
      many,
      [{ name: 'x'.repeat(129), value: '' }],
      [{ name: 'A', value: 'x'.repeat(4097) }],
      [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ],
    ]) {
      await assert.rejects(
        storage.actions.create(tenant.id, {
          name: 'bad',
          code: code(6),
          supportedTriggers: POST_LOGIN,
          secrets,
        }),
        InvalidRequestError,
      );
    }
    const after = await storage.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM actions');
    assert.equal(after[0]?.n, before[0]?.n);
    const draft = await storage.actions.create(tenant.id, {
      name: 'draft',
      code: code(7),
      supportedTriggers: POST_LOGIN,
    });
    await assert.rejects(storage.actions.bind(tenant.id, 'post-login', [draft.id]), /is not deployed/);
    const m2m = await storage.actions.create(tenant.id, {
      name: 'm2m',
      code: code(8),
      supportedTriggers: [{ id: 'credentials-exchange', version: 'v2' }],
    });
    await storage.actions.deploy(tenant.id, m2m.id);
    await assert.rejects(
      storage.actions.bind(tenant.id, 'post-login', [m2m.id]),
      /does not support post-login/,
    );
    const foreign = await storage.actions.create(other.id, {
      name: 'foreign',
      code: code(9),
      supportedTriggers: POST_LOGIN,
    });
    await assert.rejects(storage.actions.bind(tenant.id, 'post-login', [foreign.id]), NotFoundError);
    await assert.rejects(storage.actions.deploy(tenant.id, foreign.id), NotFoundError);
  });
});

describe('actions: finding by name, updating the draft and reading bindings', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  let tenant: Tenant;
  let other: Tenant;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
    tenant = await storage.tenants.create({ name: 'drafts', domains: ['drafts.test'] });
    other = await storage.tenants.create({ name: 'drafts-other', domains: ['drafts-other.test'] });
  });
  after(() => drop());

  const draft = (name: string, secrets: Array<{ name: string; value: string }> = []) =>
    storage.actions.create(tenant.id, { name, code: code(1), supportedTriggers: POST_LOGIN, secrets });
  const sealedSecrets = async (actionId: string) =>
    (
      await storage.db.sql.query<{ secrets_encrypted: string | null }>(
        'SELECT secrets_encrypted FROM actions WHERE id = $1',
        [actionId],
      )
    )[0]?.secrets_encrypted;

  it('finds an action by its exact name, only in its own tenant', async () => {
    const action = await draft('by-name');
    assert.deepEqual(await storage.actions.findByName(tenant.id, 'by-name'), action);
    assert.equal(await storage.actions.findByName(tenant.id, 'BY-NAME'), undefined);
    assert.equal(await storage.actions.findByName(other.id, 'by-name'), undefined);
  });

  it('replaces the draft code and secrets, sealed, while the deployed version keeps running the old ones', async () => {
    const action = await draft('updated', [{ name: 'OLD', value: 'old-value' }]);
    const v1 = await storage.actions.deploy(tenant.id, action.id);
    const updated = await storage.actions.update(tenant.id, action.id, {
      code: code(2),
      secrets: [{ name: 'NEW', value: 'sk_live_update_marker' }],
    });
    assert.equal(updated.code, code(2));
    assert.deepEqual(updated.secretNames, ['NEW']);
    assert.equal(updated.deployedVersionId, v1.versionId);
    assert.ok(!(await sealedSecrets(action.id))?.includes('sk_live_update_marker'));
    await storage.actions.bind(tenant.id, 'post-login', [action.id]);
    const [running] = await storage.actions.deployedForTrigger(tenant.id, 'post-login');
    assert.deepEqual([running?.code, running?.secrets], [code(1), { OLD: 'old-value' }]);
    await storage.actions.deploy(tenant.id, action.id);
    const [redeployed] = await storage.actions.deployedForTrigger(tenant.id, 'post-login');
    assert.deepEqual([redeployed?.code, redeployed?.secrets], [code(2), { NEW: 'sk_live_update_marker' }]);
  });

  it('keeps what a change leaves out, and clears the secrets with an empty list', async () => {
    const action = await draft('partial', [{ name: 'KEEP', value: 'kept' }]);
    assert.deepEqual((await storage.actions.update(tenant.id, action.id, { code: code(3) })).secretNames, [
      'KEEP',
    ]);
    const secretsOnly = await storage.actions.update(tenant.id, action.id, {
      secrets: [{ name: 'KEEP', value: 'changed' }],
    });
    assert.equal(secretsOnly.code, code(3), 'untouched');
    const cleared = await storage.actions.update(tenant.id, action.id, { secrets: [] });
    assert.deepEqual(cleared.secretNames, []);
    assert.equal(await sealedSecrets(action.id), null);
  });

  it('rejects bad changes and another tenant’s action without writing anything', async () => {
    const action = await draft('guarded', [{ name: 'A', value: '1' }]);
    const sealed = await sealedSecrets(action.id);
    for (const changes of [
      { code: code(4), secrets: [{ name: 'x'.repeat(129), value: '' }] },
      {
        code: code(4),
        secrets: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      },
      { code: 42 as unknown as string },
      { code: code(4), secrets: 'A=1' as unknown as [] },
    ]) {
      await assert.rejects(storage.actions.update(tenant.id, action.id, changes), InvalidRequestError);
    }
    await assert.rejects(storage.actions.update(other.id, action.id, { code: code(5) }), NotFoundError);
    await assert.rejects(
      storage.actions.update(tenant.id, '00000000-0000-4000-8000-000000000000', { code: code(5) }),
      NotFoundError,
    );
    assert.deepEqual(await storage.actions.get(tenant.id, action.id), action);
    assert.equal(await sealedSecrets(action.id), sealed);
  });

  it('lists a trigger’s bound action ids in the order they run, per tenant and trigger', async () => {
    const a = await draft('first');
    const b = await draft('second');
    await storage.actions.deploy(tenant.id, a.id);
    await storage.actions.deploy(tenant.id, b.id);
    await storage.actions.bind(tenant.id, 'post-login', [b.id, a.id]);
    assert.deepEqual(await storage.actions.bindings(tenant.id, 'post-login'), [b.id, a.id]);
    assert.deepEqual(await storage.actions.bindings(tenant.id, 'credentials-exchange'), []);
    assert.deepEqual(await storage.actions.bindings(other.id, 'post-login'), []);
    await storage.actions.bind(tenant.id, 'post-login', []);
    assert.deepEqual(await storage.actions.bindings(tenant.id, 'post-login'), []);
  });
});
