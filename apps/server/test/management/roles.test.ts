import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type * as oidc from 'openid-client';
import { freePort } from '../helpers.ts';
import { Browser, createApp, discover, loginWithCode, type OidcTestServer } from '../oidc/helpers.ts';
import { failure, newAudience } from './clients-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

describe('Management API /roles', () => {
  let h: ManagementHarness;
  let server: OidcTestServer;
  let config: oidc.Configuration;
  const grace = { username: 'grace@example.com', password: 'grace has a good password' };
  let graceId: string;
  const AUDIENCE = newAudience('orders');
  const perm = (permission_name: string, resource_server_identifier = AUDIENCE) => ({
    resource_server_identifier,
    permission_name,
  });

  before(async () => {
    // The issuer is the real address: a user logs in through the pages to prove RBAC reaches tokens.
    const port = await freePort();
    h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    server = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    const app = await createApp(server);
    config = await discover(server, app.clientId, app.clientSecret);
    graceId = (
      await h.server.storage.users.create(h.tenantId, { email: grace.username, password: grace.password })
    ).user_id;
    await h.management.resourceServers.create({
      identifier: AUDIENCE,
      name: 'Orders',
      enforce_policies: true,
      token_dialect: 'access_token_authz',
      scopes: ['read:orders', 'write:orders', 'delete:orders'].map((value) => ({
        value,
        description: `May ${value}`,
      })),
    });
  });
  after(() => h?.stop());

  const roleCount = async () => (await h.server.storage.roles.list(h.tenantId, { skip: 0, take: 100 })).total;
  const permissionsOf = async (roleId: string) =>
    (await h.call('GET', `/roles/${roleId}/permissions`)).body.map(
      (p: { permission_name: string }) => p.permission_name,
    );
  const loginPermissions = async () => {
    const tokens = await loginWithCode(server, config, new Browser(h.issuer), grace, {
      audience: AUDIENCE,
      scope: 'openid read:orders',
    });
    return decodeJwt(tokens.access_token).permissions;
  };

  it('creates, reads, updates and deletes a role through the SDK', async () => {
    const created = await h.management.roles.create({ name: 'auditor', description: 'Reads everything' });
    assert.match(created.id!, /^rol_[A-Za-z0-9]{16}$/);
    assert.deepEqual(created, { id: created.id, name: 'auditor', description: 'Reads everything' });
    assert.deepEqual(await h.management.roles.get(created.id!), created);
    const updated = await h.management.roles.update(created.id!, { description: 'Reads most things' });
    assert.deepEqual(updated, { id: created.id, name: 'auditor', description: 'Reads most things' });
    await h.management.roles.delete(created.id!);
    const gone = await failure(h.management.roles.get(created.id!));
    assert.deepEqual(gone.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The role does not exist.',
      errorCode: 'inexistent_role',
    });
  });

  it('gives a user the permissions of the roles assigned through the API, in the access token, at once', async () => {
    const clerk = await h.management.roles.create({ name: 'clerk' });
    await h.management.roles.permissions.add(clerk.id!, {
      permissions: [perm('read:orders'), perm('write:orders')],
    });
    await h.management.roles.users.assign(clerk.id!, { users: [graceId] });
    assert.deepEqual(await loginPermissions(), ['read:orders', 'write:orders']);

    await h.management.roles.permissions.delete(clerk.id!, { permissions: [perm('write:orders')] });
    assert.deepEqual(
      await loginPermissions(),
      ['read:orders'],
      'a removed permission is gone from the next token',
    );
    await h.management.roles.delete(clerk.id!);
    assert.deepEqual(await loginPermissions(), [], 'a deleted role grants nothing');
  });

  it('lists a role’s permissions with the API name and scope description, paginated', async () => {
    const role = await h.management.roles.create({ name: 'lister' });
    await h.management.roles.permissions.add(role.id!, {
      permissions: [perm('delete:orders'), perm('read:orders'), perm('write:orders')],
    });
    const page = await h.management.roles.permissions.list(role.id!, { per_page: 2, page: 0 });
    assert.deepEqual(page.data, [
      {
        resource_server_identifier: AUDIENCE,
        permission_name: 'delete:orders',
        resource_server_name: 'Orders',
        description: 'May delete:orders',
      },
      {
        resource_server_identifier: AUDIENCE,
        permission_name: 'read:orders',
        resource_server_name: 'Orders',
        description: 'May read:orders',
      },
    ]);
    const totals = await h.call('GET', `/roles/${role.id}/permissions?per_page=2&page=1&include_totals=true`);
    assert.deepEqual([totals.body.start, totals.body.limit, totals.body.total], [2, 2, 3]);
    assert.deepEqual(
      totals.body.permissions.map((p: { permission_name: string }) => p.permission_name),
      ['write:orders'],
    );
    const all = [];
    for await (const p of await h.management.roles.permissions.list(role.id!, { per_page: 2 }))
      all.push(p.permission_name);
    assert.deepEqual(all, ['delete:orders', 'read:orders', 'write:orders']);
  });

  it('refuses permissions that are not scopes of the API, and unknown roles, adding nothing', async () => {
    const role = await h.management.roles.create({ name: 'strict' });
    await h.management.roles.permissions.add(role.id!, { permissions: [perm('read:orders')] });
    const add = (permissions: unknown, id = role.id) =>
      h.call('POST', `/roles/${id}/permissions`, { body: { permissions } });
    assertAuth0Error(
      await add([perm('write:orders'), perm('fly:orders')]),
      400,
      'invalid_body',
      /'fly:orders' is not a permission/,
    );
    assertAuth0Error(
      await add([perm('read:orders', newAudience('nowhere'))]),
      400,
      'invalid_body',
      /does not exist/,
    );
    assertAuth0Error(
      await add([{ permission_name: 'read:orders' }]),
      400,
      'invalid_body',
      /Missing required property: resource_server_identifier/,
    );
    assertAuth0Error(await add([]), 400, 'invalid_body');
    assertAuth0Error(await add([perm('read:orders')], 'rol_doesnotexist0000'), 404, 'inexistent_role');
    assertAuth0Error(
      await h.call('DELETE', '/roles/rol_doesnotexist0000/permissions', {
        body: { permissions: [perm('read:orders')] },
      }),
      404,
      'inexistent_role',
    );
    assertAuth0Error(await h.call('GET', '/roles/rol_doesnotexist0000/permissions'), 404, 'inexistent_role');
    assert.deepEqual(await permissionsOf(role.id!), ['read:orders'], 'the refused requests added nothing');
  });

  it('never keeps a permission whose scope a concurrent API update removed', async () => {
    const audience = newAudience('racing');
    const api = `/resource-servers/${encodeURIComponent(audience)}`;
    const declare = (...values: string[]) =>
      h.call('PATCH', api, { body: { scopes: values.map((value) => ({ value, description: value })) } });
    await h.management.resourceServers.create({ identifier: audience, name: 'Racing' });
    const role = await h.management.roles.create({ name: 'racer' });
    for (let round = 0; round < 20; round++) {
      const scope = `race:${round}`;
      assert.equal((await declare('keep', scope)).status, 200);
      // The check "the API declares this scope" and the insert must not let the removal in between.
      const [add, removal] = await Promise.all([
        h.call('POST', `/roles/${role.id}/permissions`, { body: { permissions: [perm(scope, audience)] } }),
        declare('keep'),
      ]);
      assert.ok([201, 400].includes(add.status), `round ${round}: ${add.status} ${JSON.stringify(add.body)}`);
      assert.equal(removal.status, 200);
      assert.deepEqual(await permissionsOf(role.id!), [], `round ${round}: no permission outlives its scope`);
    }
  });

  it('checks the permissions of many APIs at once, naming the first one not declared', async () => {
    const audiences = [newAudience('many-a'), newAudience('many-b')];
    for (const identifier of audiences) {
      await h.management.resourceServers.create({
        identifier,
        name: identifier,
        scopes: [{ value: 'read', description: 'Read' }],
      });
    }
    const role = await h.management.roles.create({ name: 'many' });
    const add = (permissions: unknown) =>
      h.call('POST', `/roles/${role.id}/permissions`, { body: { permissions } });
    assertAuth0Error(
      await add([perm('read', audiences[0]), perm('write', audiences[1])]),
      400,
      'invalid_body',
      new RegExp(
        `^Payload validation error: 'write' is not a permission of the resource server '${audiences[1]}'\\.$`,
      ),
    );
    assert.deepEqual(await permissionsOf(role.id!), [], 'nothing added');
    assert.equal((await add([perm('read', audiences[0]), perm('read', audiences[1])])).status, 201);
    assert.deepEqual(await permissionsOf(role.id!), ['read', 'read']);
  });

  it('refuses a duplicate name (409) on create and rename, writing nothing', async () => {
    await h.management.roles.create({ name: 'unique-name' });
    const other = await h.management.roles.create({ name: 'other-name' });
    const before = await roleCount();
    assertAuth0Error(
      await h.call('POST', '/roles', { body: { name: 'unique-name' } }),
      409,
      'conflict',
      /already exists/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/roles/${other.id}`, { body: { name: 'unique-name' } }),
      409,
      'conflict',
    );
    assert.equal(await roleCount(), before);
    assert.equal((await h.management.roles.get(other.id!)).name, 'other-name');
  });

  it('paginates with Auth0 totals and filters by name', async () => {
    for (const name of ['team-alpha', 'team-beta', 'Team-Gamma']) await h.management.roles.create({ name });
    const total = await roleCount();
    const page = await h.call('GET', '/roles?per_page=2&page=0&include_totals=true');
    assert.deepEqual(Object.keys(page.body).sort(), ['limit', 'roles', 'start', 'total']);
    assert.deepEqual(
      [page.body.start, page.body.limit, page.body.total, page.body.roles.length],
      [0, 2, total, 2],
    );
    const bare = await h.call('GET', '/roles?per_page=1&page=1');
    assert.ok(Array.isArray(bare.body) && bare.body.length === 1);
    const names: string[] = [];
    for await (const role of await h.management.roles.list({ per_page: 2 })) names.push(role.name!);
    assert.equal(new Set(names).size, total);
    const teams = await h.management.roles.list({ name_filter: 'team' });
    assert.deepEqual(teams.data.map((r) => r.name).sort(), ['Team-Gamma', 'team-alpha', 'team-beta']);
  });

  it('lists and assigns role members (checkpoint and offset pages)', async () => {
    const role = await h.management.roles.create({ name: 'members' });
    const ids = [graceId];
    for (const n of [1, 2]) {
      ids.push(
        (
          await h.server.storage.users.create(h.tenantId, {
            email: `member${n}@example.com`,
            password: 'a long enough password',
          })
        ).user_id,
      );
    }
    await h.management.roles.users.assign(role.id!, { users: ids });
    const seen: string[] = [];
    for await (const user of await h.management.roles.users.list(role.id!, { take: 2 }))
      seen.push(user.user_id!);
    assert.deepEqual(seen, [...ids].sort());
    const first = await h.call('GET', `/roles/${role.id}/users?take=2`);
    assert.deepEqual(Object.keys(first.body).sort(), ['next', 'users']);
    assert.deepEqual(Object.keys(first.body.users[0]).sort(), ['email', 'name', 'user_id']);
    const offset = await h.call('GET', `/roles/${role.id}/users?per_page=2&page=1&include_totals=true`);
    assert.deepEqual([offset.body.total, offset.body.users.length], [3, 1]);
    assertAuth0Error(
      await h.call('POST', `/roles/${role.id}/users`, { body: { users: ['auth0|nobody'] } }),
      404,
      'inexistent_user',
    );
    assertAuth0Error(
      await h.call('POST', '/roles/rol_doesnotexist0000/users', { body: { users: [graceId] } }),
      404,
      'inexistent_role',
    );
    assert.equal(
      (await h.call('GET', `/roles/${role.id}/users?per_page=10`)).body.length,
      3,
      'nothing added',
    );
  });

  it('refuses callers without the scope and bad input, changing nothing', async () => {
    const role = await h.management.roles.create({ name: 'guarded', description: 'as is' });
    const reader = await h.tokenWith(['read:roles']);
    const before = await roleCount();
    assertAuth0Error(
      await h.call('POST', '/roles', { token: reader, body: { name: 'x' } }),
      403,
      'insufficient_scope',
      /create:roles/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/roles/${role.id}`, { token: reader, body: { name: 'x' } }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('DELETE', `/roles/${role.id}`, { token: reader }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('POST', `/roles/${role.id}/permissions`, {
        token: reader,
        body: { permissions: [perm('read:orders')] },
      }),
      403,
      'insufficient_scope',
    );
    // Auth0 lets read:users, read:roles or read:role_members list a role's members.
    const stranger = await h.tokenWith(['read:clients']);
    assertAuth0Error(
      await h.call('GET', `/roles/${role.id}/users`, { token: stranger }),
      403,
      'insufficient_scope',
      /read:role_members/,
    );
    assert.equal((await h.call('GET', `/roles/${role.id}/users`, { token: reader })).status, 200);
    assertAuth0Error(
      await h.call('POST', `/roles/${role.id}/users`, { token: reader, body: { users: [graceId] } }),
      403,
      'insufficient_scope',
    );

    assertAuth0Error(await h.call('POST', '/roles', { raw: '{"name":' }), 400, 'invalid_body', /JSON/);
    assertAuth0Error(
      await h.call('POST', '/roles', { body: { name: 'x', permissions: [] } }),
      400,
      'invalid_body',
      /Additional properties not allowed: permissions/,
    );
    assertAuth0Error(
      await h.call('POST', '/roles', { body: { name: 7 } }),
      400,
      'invalid_body',
      /Expected type string/,
    );
    assertAuth0Error(
      await h.call('POST', '/roles', { body: {} }),
      400,
      'invalid_body',
      /Missing required property: name/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/roles/${role.id}`, { body: { description: null } }),
      400,
      'invalid_body',
    );
    assertAuth0Error(
      await h.call('PATCH', '/roles/rol_doesnotexist0000', { body: { name: 'x' } }),
      404,
      'inexistent_role',
    );
    assertAuth0Error(await h.call('DELETE', '/roles/rol_doesnotexist0000'), 404, 'inexistent_role');
    assert.equal(await roleCount(), before);
    assert.deepEqual(await h.management.roles.get(role.id!), {
      id: role.id,
      name: 'guarded',
      description: 'as is',
    });
    assert.deepEqual(await permissionsOf(role.id!), []);
  });
});
