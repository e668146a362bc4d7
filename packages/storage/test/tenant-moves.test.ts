import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage } from '../src/index.ts';

// What a change of TESSERA_DOMAIN does to the stored tenant (apps/server/src/boot/tenant-domain.ts):
// written by these two repository methods, so no SQL lives outside storage.

describe('moving a tenant to another domain, and its system API to another identifier', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
  });
  after(() => drop());

  it('rewrites the primary domain in place, drops the new one from the others, and touches updatedAt', async () => {
    const tenant = await storage.tenants.create({
      name: 'moving',
      domains: ['old.example', 'new.example:8443'],
    });
    await storage.tenants.moveDomain(tenant.id, 'old.example', 'NEW.example:8443');
    const moved = (await storage.tenants.findById(tenant.id))!;
    assert.deepEqual(moved.domains, [{ domain: 'new.example:8443', isPrimary: true }]);
    assert.ok(moved.updatedAt > tenant.updatedAt);
    assert.equal((await storage.tenants.findByDomain('new.example:8443'))?.id, tenant.id);
    assert.equal(await storage.tenants.findByDomain('old.example'), undefined);
  });

  it('refuses a domain of the wrong form, changing nothing', async () => {
    const tenant = await storage.tenants.create({ name: 'staying', domains: ['stay.example'] });
    await assert.rejects(
      storage.tenants.moveDomain(tenant.id, 'stay.example', 'not a domain'),
      InvalidRequestError,
    );
    assert.deepEqual((await storage.tenants.findById(tenant.id))?.domains, [
      { domain: 'stay.example', isPrimary: true },
    ]);
  });

  it('renames an API identifier in place, its grants following; refuses a taken one and another tenant’s API', async () => {
    const tenant = await storage.tenants.create({ name: 'apis', domains: ['apis.example'] });
    const other = await storage.tenants.create({ name: 'other', domains: ['other.example'] });
    const api = await storage.resourceServers.create(tenant.id, {
      identifier: 'http://apis.example/api/v2/',
      name: 'System',
      isSystem: true,
      scopes: [{ value: 'read:users', description: 'read:users' }],
    });
    await storage.resourceServers.create(tenant.id, { identifier: 'https://taken.example/', name: 'Taken' });
    const { client } = await storage.clients.create(tenant.id, {
      name: 'machine',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      grants: [{ audience: api.identifier, scopes: ['read:users'] }],
    });
    await storage.resourceServers.moveIdentifier(tenant.id, api.id, 'https://apis.example/api/v2/');
    assert.equal(
      (await storage.resourceServers.findById(tenant.id, api.id))?.identifier,
      'https://apis.example/api/v2/',
    );
    const { grants } = await storage.clientGrants.list(tenant.id, { clientId: client.clientId, take: 10 });
    assert.deepEqual(
      grants.map((grant) => grant.audience),
      ['https://apis.example/api/v2/'],
    );
    await assert.rejects(
      storage.resourceServers.moveIdentifier(tenant.id, api.id, 'https://taken.example/'),
      ConflictError,
    );
    await assert.rejects(
      storage.resourceServers.moveIdentifier(other.id, api.id, 'https://x.example/'),
      NotFoundError,
    );
  });
});
