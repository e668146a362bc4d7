import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import { createSecretBox } from '../src/crypto.ts';
import { createSigningKeyRepository, type SigningKey } from '../src/repositories/signing-keys.ts';
import type { Storage } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `keys-${++counter}`, domains: [] });
const states = (keys: SigningKey[]) => keys.map((k) => [k.kid, k.state]);
const kidIn = (keys: SigningKey[], state: string) => keys.filter((k) => k.state === state).map((k) => k.kid);

describe('signing key rotation', () => {
  it('moves current → previous and next → current, publishes a new next, and lists current first', async () => {
    const tenant = await newTenant();
    const first = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.deepEqual(
      first.map((k) => [k.state, k.alg]),
      [
        ['current', 'RS256'],
        ['next', 'RS256'],
      ],
      'from nothing: a new current and a new next',
    );
    const [c1, n1] = first.map((k) => k.kid);

    const second = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.deepEqual(kidIn(second, 'current'), [n1]);
    assert.deepEqual(kidIn(second, 'previous'), [c1]);
    assert.equal(kidIn(second, 'next').length, 1);
    const n2 = kidIn(second, 'next')[0];

    const third = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.deepEqual(states(third), [
      [n2, 'current'],
      [kidIn(third, 'next')[0], 'next'],
      [n1, 'previous'],
      [c1, 'previous'],
    ]);
    const promoted = third[0]!;
    assert.ok(promoted.activatedAt, 'activated when it became current');
    assert.ok(third.find((k) => k.kid === n1)?.rotatedAt, 'rotated_at set when it stepped down');
    assert.deepEqual(states(await storage.signingKeys.list(tenant.id)), states(third));
  });

  it('keeps exactly one current key per use, even when rotations race', async () => {
    const tenant = await newTenant();
    await Promise.all([
      storage.signingKeys.rotate(tenant.id, 'sig', { alg: 'ES256' }),
      storage.signingKeys.rotate(tenant.id, 'sig', { alg: 'ES256' }),
      storage.signingKeys.rotate(tenant.id, 'cookie'),
      storage.signingKeys.rotate(tenant.id, 'cookie'),
    ]);
    const keys = await storage.signingKeys.list(tenant.id, { includeRevoked: true });
    for (const use of ['sig', 'cookie'] as const) {
      const ofUse = keys.filter((k) => k.use === use);
      assert.equal(ofUse.filter((k) => k.state === 'current').length, 1, `${use}: one current`);
      assert.equal(ofUse.filter((k) => k.state === 'next').length, 1, `${use}: one next`);
    }
  });

  it('rotates to another algorithm through next, and steps down a raced second current', async () => {
    const tenant = await newTenant();
    await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
    await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
    const rotated = await storage.signingKeys.rotate(tenant.id, 'sig', { alg: 'EdDSA' });
    assert.deepEqual(
      rotated.map((k) => [k.state, k.alg]),
      [
        ['current', 'RS256'],
        ['next', 'EdDSA'],
        ['previous', 'RS256'],
        ['previous', 'RS256'],
      ],
    );
    const again = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.deepEqual(
      again.slice(0, 2).map((k) => [k.state, k.alg]),
      [
        ['current', 'EdDSA'],
        ['next', 'EdDSA'],
      ],
    );
  });

  it('retires previous keys older than the retention, and no others', async () => {
    const tenant = await newTenant();
    await storage.signingKeys.rotate(tenant.id, 'sig', { alg: 'ES256' });
    await storage.signingKeys.rotate(tenant.id, 'sig');
    const [old] = (await storage.signingKeys.list(tenant.id)).filter((k) => k.state === 'previous');
    await storage.db.sql.query(
      `UPDATE signing_keys SET rotated_at = now() - interval '2 days' WHERE id = $1`,
      [old!.id],
    );
    // Rotating with a one-day retention: the key rotated out two days ago goes, the one just rotated out stays.
    const keys = await storage.signingKeys.rotate(tenant.id, 'sig', { retentionSeconds: 86_400 });
    assert.deepEqual(
      keys.map((k) => k.state),
      ['current', 'next', 'previous'],
    );
    const all = await storage.signingKeys.list(tenant.id, { includeRevoked: true });
    const retired = all.find((k) => k.kid === old!.kid);
    assert.equal(retired?.state, 'revoked');
    assert.ok(retired?.revokedAt);
    assert.equal(all.at(-1)?.kid, old!.kid, 'revoked keys come last');

    assert.equal(await storage.signingKeys.retire(tenant.id, new Date(Date.now() - 60_000)), 0);
    assert.equal(await storage.signingKeys.retire(tenant.id, new Date(Date.now() + 1000), 'cookie'), 0);
    assert.equal(await storage.signingKeys.retire(tenant.id, new Date(Date.now() + 1000), 'sig'), 1);
    assert.deepEqual(
      (await storage.signingKeys.list(tenant.id)).map((k) => k.state),
      ['current', 'next'],
    );
  });

  it('revokes next and previous keys, never the only current one, and says so for unknown kids', async () => {
    const tenant = await newTenant();
    await storage.signingKeys.rotate(tenant.id, 'sig', { alg: 'ES256' });
    const keys = await storage.signingKeys.rotate(tenant.id, 'sig');
    const [current, next, previous] = keys;
    await assert.rejects(storage.signingKeys.revoke(tenant.id, current!.kid), InvalidRequestError);
    await assert.rejects(storage.signingKeys.revoke(tenant.id, 'no-such-kid'), NotFoundError);
    await assert.rejects(storage.signingKeys.revoke((await newTenant()).id, previous!.kid), NotFoundError);

    const revoked = await storage.signingKeys.revoke(tenant.id, previous!.kid);
    assert.equal(revoked.state, 'revoked');
    assert.ok(revoked.revokedAt);
    assert.equal((await storage.signingKeys.revoke(tenant.id, previous!.kid)).state, 'revoked', 'idempotent');
    await storage.signingKeys.revoke(tenant.id, next!.kid);
    assert.deepEqual(states(await storage.signingKeys.list(tenant.id)), [[current!.kid, 'current']]);

    // With no next key waiting, the following rotation makes a new current key.
    const after = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.equal(after.filter((k) => k.state === 'current').length, 1);
    assert.notEqual(after[0]?.kid, current!.kid);
    assert.equal(after.find((k) => k.kid === current!.kid)?.state, 'previous');
  });

  it('exposes a private JWK for signing keys that signs for the published public JWK', async () => {
    const tenant = await newTenant();
    const [key] = await storage.signingKeys.rotate(tenant.id, 'sig');
    assert.ok(key?.use === 'sig');
    assert.deepEqual([key.privateJwk.kid, key.privateJwk.alg, key.privateJwk.use], [key.kid, 'RS256', 'sig']);
    assert.ok(key.privateJwk.d, 'the private members are there');
    const data = Buffer.from('header.payload');
    const signature = sign('sha256', data, createPrivateKey({ key: key.privateJwk, format: 'jwk' }));
    assert.ok(verify('sha256', data, createPublicKey({ key: key.publicJwk, format: 'jwk' }), signature));
  });
});

describe('cookie keys', () => {
  it('are 32-byte HS256 secrets, sealed at rest, never published, read back by a fresh repository', async () => {
    const tenant = await newTenant();
    const key = await storage.signingKeys.create(tenant.id, {
      alg: 'HS256',
      use: 'cookie',
      state: 'current',
    });
    assert.equal(key.secret.length, 32);
    assert.equal(key.publicJwk, undefined);
    assert.equal(key.privateJwk, undefined);
    assert.equal(key.privateKey.type, 'secret');

    const [raw] = await storage.db.sql.query<{ sealed: string; jwk: unknown }>(
      'SELECT private_key_encrypted AS sealed, public_jwk AS jwk FROM signing_keys WHERE tenant_id = $1',
      [tenant.id],
    );
    assert.match(raw!.sealed, /^v1\./);
    assert.ok(!raw!.sealed.includes(key.secret.toString('base64url')));
    assert.deepEqual(raw!.jwk, {});

    const [read] = await createSigningKeyRepository(storage.db.prisma, storage.secretBox).list(tenant.id);
    assert.ok(read?.use === 'cookie');
    assert.deepEqual(read.secret, key.secret);
    const mac = (secret: Buffer) => createHmac('sha256', secret).update('cookie').digest('hex');
    assert.equal(mac(read.secret), mac(key.secret));
    const wrongMasterKey = createSigningKeyRepository(storage.db.prisma, createSecretBox(randomBytes(32)));
    await assert.rejects(wrongMasterKey.list(tenant.id));
  });

  it('refuse algorithms that do not fit their use', async () => {
    const tenant = await newTenant();
    const create = storage.signingKeys.create as (t: string, i: object) => Promise<unknown>;
    await assert.rejects(
      create(tenant.id, { alg: 'RS256', use: 'cookie', state: 'current' }),
      InvalidRequestError,
    );
    await assert.rejects(
      create(tenant.id, { alg: 'HS256', use: 'sig', state: 'current' }),
      InvalidRequestError,
    );
    await assert.rejects(
      storage.signingKeys.rotate(tenant.id, 'cookie', { alg: 'ES256' }),
      InvalidRequestError,
    );
    assert.deepEqual(await storage.signingKeys.list(tenant.id), []);
  });
});
