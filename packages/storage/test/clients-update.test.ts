import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `clients-${++counter}`, domains: [] });

describe('client updates', () => {
  it('changes only the fields a patch names', async () => {
    const tenant = await newTenant();
    const { client } = await storage.clients.create(tenant.id, {
      name: 'web',
      callbacks: ['https://a/cb'],
      webOrigins: ['https://a'],
      clientMetadata: { team: 'x' },
    });
    const updated = await storage.clients.update(tenant.id, client.clientId, {
      name: 'web app',
      callbacks: ['https://b/cb', 'https://c/cb'],
      jwtConfiguration: { lifetime_in_seconds: 600 },
    });
    assert.equal(updated.name, 'web app');
    assert.deepEqual(updated.callbacks, ['https://b/cb', 'https://c/cb']);
    assert.deepEqual(updated.jwtConfiguration, { lifetime_in_seconds: 600 });
    assert.deepEqual(updated.webOrigins, ['https://a'], 'untouched');
    assert.deepEqual(updated.clientMetadata, { team: 'x' }, 'untouched');
    assert.ok(updated.updatedAt >= client.updatedAt);
    assert.deepEqual(await storage.clients.findById(tenant.id, client.clientId), updated);
  });

  it('ignores what a patch may not set (tenant, id, secret)', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const { client, clientSecret } = await storage.clients.create(tenant.id, { name: 'm2m' });
    const sneaky = { name: 'renamed', tenantId: other.id, clientId: 'hijacked', secretHash: 'x' };
    await storage.clients.update(tenant.id, client.clientId, sneaky as { name: string });
    const after = await storage.clients.findById(tenant.id, client.clientId);
    assert.equal(after?.name, 'renamed');
    assert.equal(await storage.clients.findById(other.id, client.clientId), undefined);
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, clientSecret), true);
  });

  it('answers NotFoundError for another tenant’s client, and leaves it alone', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const { client, clientSecret } = await storage.clients.create(tenant.id, { name: 'mine' });
    await assert.rejects(
      storage.clients.update(other.id, client.clientId, { name: 'theirs' }),
      NotFoundError,
    );
    await assert.rejects(storage.clients.rotateSecret(other.id, client.clientId), NotFoundError);
    await assert.rejects(storage.clients.delete(other.id, client.clientId), NotFoundError);
    await assert.rejects(storage.clients.update(tenant.id, 'no-such-client', { name: 'x' }), NotFoundError);
    const unchanged = await storage.clients.findById(tenant.id, client.clientId);
    assert.equal(unchanged?.name, 'mine');
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, clientSecret), true);
  });

  it('rotates the secret: the new one works once shown, the old one stops at once', async () => {
    const tenant = await newTenant();
    const { client, clientSecret: old } = await storage.clients.create(tenant.id, { name: 'svc' });
    const { client: rotated, clientSecret } = await storage.clients.rotateSecret(tenant.id, client.clientId);
    assert.match(clientSecret, /^[A-Za-z0-9_-]{64}$/);
    assert.notEqual(clientSecret, old);
    assert.ok(!('secretHash' in rotated));
    assert.ok(rotated.secretRotatedAt && client.secretRotatedAt);
    assert.ok(rotated.secretRotatedAt >= client.secretRotatedAt);
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, clientSecret), true);
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, old), false);
  });

  it('deletes a client with its grants', async () => {
    const tenant = await newTenant();
    await storage.resourceServers.create(tenant.id, { identifier: 'https://api/', name: 'API' });
    const { client } = await storage.clients.create(tenant.id, {
      name: 'gone',
      grants: [{ audience: 'https://api/', scopes: ['read'] }],
    });
    await storage.clients.delete(tenant.id, client.clientId);
    assert.equal(await storage.clients.findById(tenant.id, client.clientId), undefined);
    assert.deepEqual(await storage.clients.listGrants(tenant.id, client.clientId), []);
    assert.equal(await storage.db.prisma.clientGrant.count({ where: { tenantId: tenant.id } }), 0);
    await assert.rejects(storage.clients.delete(tenant.id, client.clientId), NotFoundError);
  });

  it('lists a client’s grants by audience, within its tenant', async () => {
    const tenant = await newTenant();
    for (const identifier of ['https://b/', 'https://a/', 'https://unused/']) {
      await storage.resourceServers.create(tenant.id, { identifier, name: identifier });
    }
    const { client } = await storage.clients.create(tenant.id, {
      name: 'worker',
      grants: [
        { audience: 'https://b/', scopes: ['write:b', 'read:b'] },
        { audience: 'https://a/', scopes: [] },
      ],
    });
    assert.deepEqual(await storage.clients.listGrants(tenant.id, client.clientId), [
      { audience: 'https://a/', scopes: [] },
      { audience: 'https://b/', scopes: ['write:b', 'read:b'] },
    ]);
    assert.deepEqual(await storage.clients.listGrants((await newTenant()).id, client.clientId), []);
  });
});
