import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import type { Storage, Tenant } from '../src/index.ts';

describe('roles (Auth0 RBAC)', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  let tenant: Tenant;
  let other: Tenant;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
    tenant = await storage.tenants.create({ name: 'rbac', domains: ['rbac.test'] });
    other = await storage.tenants.create({ name: 'other', domains: ['other.test'] });
    for (const t of [tenant, other]) {
      await storage.resourceServers.create(t.id, {
        identifier: 'https://api/',
        name: 'API',
        scopes: [
          { value: 'read', description: '' },
          { value: 'write', description: '' },
        ],
      });
    }
  });
  after(() => drop());

  it('gives a user the union of the permissions of their roles on one API, and their role names', async () => {
    const user = await storage.users.create(tenant.id, {
      email: 'r1@example.com',
      password: 'a good password',
    });
    const reader = await storage.roles.create(tenant.id, { name: 'reader' });
    const writer = await storage.roles.create(tenant.id, { name: 'writer', description: 'Writes' });
    await storage.roles.addPermissions(tenant.id, reader.id, [
      { audience: 'https://api/', permission: 'read' },
    ]);
    await storage.roles.addPermissions(tenant.id, writer.id, [
      { audience: 'https://api/', permission: 'read' },
      { audience: 'https://api/', permission: 'write' },
    ]);
    assert.deepEqual(await storage.roles.permissionsOf(tenant.id, user.user_id, 'https://api/'), []);
    await storage.roles.assign(tenant.id, user.user_id, [reader.id]);
    assert.deepEqual(await storage.roles.permissionsOf(tenant.id, user.user_id, 'https://api/'), ['read']);
    await storage.roles.assign(tenant.id, user.user_id, [writer.id, reader.id]);
    assert.deepEqual(await storage.roles.permissionsOf(tenant.id, user.user_id, 'https://api/'), [
      'read',
      'write',
    ]);
    assert.deepEqual(await storage.roles.permissionsOf(tenant.id, user.user_id, 'https://elsewhere/'), []);
    assert.deepEqual(await storage.roles.roleNamesOf(tenant.id, user.user_id), ['reader', 'writer']);
  });

  it('refuses a duplicate role name, an unknown API, an unknown user, and keeps tenants apart', async () => {
    await assert.rejects(storage.roles.create(tenant.id, { name: 'reader' }), ConflictError);
    const role = await storage.roles.create(tenant.id, { name: 'auditor' });
    await assert.rejects(
      storage.roles.addPermissions(tenant.id, role.id, [{ audience: 'https://nope/', permission: 'x' }]),
      NotFoundError,
    );
    await assert.rejects(
      storage.roles.assign(tenant.id, 'auth0|000000000000000000000000', [role.id]),
      NotFoundError,
    );
    const stranger = await storage.users.create(other.id, {
      email: 'r1@example.com',
      password: 'a good password',
    });
    await assert.rejects(
      storage.roles.assign(other.id, stranger.user_id, [role.id]),
      NotFoundError,
      "another tenant's role",
    );
    assert.deepEqual(await storage.roles.permissionsOf(other.id, stranger.user_id, 'https://api/'), []);
  });
});
