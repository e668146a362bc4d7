import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure, newEmail, PASSWORD } from './users-helpers.ts';

describe('Management API user roles and authentication methods', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const createUser = () =>
    h.management.users.create({
      connection: 'Username-Password-Authentication',
      email: newEmail(),
      password: PASSWORD,
    });
  const createRole = (name: string, description?: string) =>
    h.server.storage.roles.create(h.tenantId, { name, ...(description ? { description } : {}) });
  const rolesPath = (userId: string) => `/users/${encodeURIComponent(userId)}/roles`;
  const roleIdsOf = async (userId: string) =>
    (await h.call('GET', `${rolesPath(userId)}?per_page=100`)).body.map((r: { id: string }) => r.id);

  it('assigns, lists page by page and removes a user’s roles through the SDK', async () => {
    const user = await createUser();
    const id = user.user_id!;
    const roles = [
      await createRole('editor', 'Edits'),
      await createRole('admin'),
      await createRole('viewer', 'Reads'),
    ];
    await h.management.users.roles.assign(id, { roles: roles.map((r) => r.id) });
    await h.management.users.roles.assign(id, { roles: [roles[0]!.id] }); // assigning twice is harmless
    const page = await h.management.users.roles.list(id, { per_page: 2, page: 0 });
    assert.deepEqual(
      { start: page.response.start, limit: page.response.limit, total: page.response.total },
      { start: 0, limit: 2, total: 3 },
    );
    assert.deepEqual(page.data, [
      { id: roles[1]!.id, name: 'admin', description: '' },
      { id: roles[0]!.id, name: 'editor', description: 'Edits' },
    ]);
    const listed: string[] = [];
    for await (const role of page) listed.push(role.name!);
    assert.deepEqual(listed, ['admin', 'editor', 'viewer']);
    await h.management.users.roles.delete(id, { roles: [roles[1]!.id, roles[2]!.id] });
    assert.deepEqual(await roleIdsOf(id), [roles[0]!.id]);
    assert.deepEqual(await h.server.storage.roles.roleNamesOf(h.tenantId, id), ['editor']);
  });

  it('answers an unknown role with 404 and assigns or removes none of the request', async () => {
    const user = await createUser();
    const id = user.user_id!;
    const kept = await createRole('kept');
    const extra = await createRole('extra');
    await h.management.users.roles.assign(id, { roles: [kept.id] });
    const error = await failure(
      h.management.users.roles.assign(id, { roles: [extra.id, 'rol_doesnotexist0000'] }),
    );
    assert.deepEqual(error.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The role does not exist.',
      errorCode: 'inexistent_role',
    });
    assertAuth0Error(
      await h.call('DELETE', rolesPath(id), { body: { roles: [kept.id, 'rol_doesnotexist0000'] } }),
      404,
      'inexistent_role',
    );
    assert.deepEqual(await roleIdsOf(id), [kept.id]);
    assertAuth0Error(await h.call('GET', rolesPath('auth0|nobody')), 404, 'inexistent_user');
    assertAuth0Error(
      await h.call('POST', rolesPath('auth0|nobody'), { body: { roles: [kept.id] } }),
      404,
      'inexistent_user',
    );
    assertAuth0Error(
      await h.call('POST', rolesPath(id), { body: { roles: [] } }),
      400,
      'invalid_body',
      /Array is too short|fewer than 1/,
    );
    assertAuth0Error(
      await h.call('POST', rolesPath(id), { body: { roles: kept.id } }),
      400,
      'invalid_body',
      /on property roles/,
    );
    assertAuth0Error(
      await h.call('POST', rolesPath(id), { body: { roles: [kept.id], all: true } }),
      400,
      'invalid_body',
      /all/,
    );
  });

  it('accepts any one of the scopes Auth0 accepts for user roles, and 403 changes nothing', async () => {
    const user = await createUser();
    const id = user.user_id!;
    const role = await createRole('scoped');
    const member = await h.tokenWith(['create:role_members']);
    const remover = await h.tokenWith(['delete:role_members']);
    const roleReader = await h.tokenWith(['read:roles']);
    const userReader = await h.tokenWith(['read:users']);
    assertAuth0Error(
      await h.call('POST', rolesPath(id), { token: userReader, body: { roles: [role.id] } }),
      403,
      'insufficient_scope',
      /update:users,create:role_members/,
    );
    assert.deepEqual(await roleIdsOf(id), []);
    assert.equal(
      (await h.call('POST', rolesPath(id), { token: member, body: { roles: [role.id] } })).status,
      204,
    );
    assert.equal((await h.call('GET', rolesPath(id), { token: roleReader })).status, 200);
    assertAuth0Error(
      await h.call('DELETE', rolesPath(id), { token: member, body: { roles: [role.id] } }),
      403,
      'insufficient_scope',
    );
    assert.deepEqual(await roleIdsOf(id), [role.id]);
    assert.equal(
      (await h.call('DELETE', rolesPath(id), { token: remover, body: { roles: [role.id] } })).status,
      204,
    );
    assert.deepEqual(await roleIdsOf(id), []);
  });

  it('lists a user’s authentication methods in Auth0 shape, never their secrets, and deletes one', async () => {
    const user = await createUser();
    const id = user.user_id!;
    const enroll = (data: Record<string, unknown>) =>
      h.server.storage.db.prisma.mfaEnrollment.create({
        data: { tenantId: h.tenantId, userId: id, ...data } as never,
      });
    await enroll({
      id: 'totp|dev_0001',
      type: 'otp',
      status: 'confirmed',
      secretEncrypted: 'SEALED-TOTP-SEED',
      createdAt: new Date('2026-01-01T00:00:00Z'),
      lastAuthAt: new Date('2026-01-02T00:00:00Z'),
    });
    await enroll({
      id: 'phone|dev_0002',
      type: 'phone',
      status: 'pending',
      phoneNumber: '+14155550100',
      name: 'Work phone',
      createdAt: new Date('2026-01-03T00:00:00Z'),
    });
    await enroll({
      id: 'email|dev_0003',
      type: 'email',
      status: 'confirmed',
      email: 'mfa@example.com',
      createdAt: new Date('2026-01-04T00:00:00Z'),
    });
    const page = await h.management.users.authenticationMethods.list(id, { per_page: 2 });
    assert.deepEqual(
      { start: page.response.start, limit: page.response.limit, total: page.response.total },
      { start: 0, limit: 2, total: 3 },
    );
    assert.deepEqual(page.data, [
      {
        id: 'totp|dev_0001',
        type: 'totp',
        confirmed: true,
        created_at: '2026-01-01T00:00:00.000Z',
        last_auth_at: '2026-01-02T00:00:00.000Z',
      },
      {
        id: 'phone|dev_0002',
        type: 'phone',
        confirmed: false,
        name: 'Work phone',
        phone_number: '+14155550100',
        created_at: '2026-01-03T00:00:00.000Z',
      },
    ]);
    const all = await h.call('GET', `/users/${encodeURIComponent(id)}/authentication-methods`);
    assert.equal(all.body.length, 3);
    assert.ok(!JSON.stringify(all.body).includes('SEALED-TOTP-SEED'));
    await h.management.users.authenticationMethods.delete(id, 'phone|dev_0002');
    const left = await h.call('GET', `/users/${encodeURIComponent(id)}/authentication-methods`);
    assert.deepEqual(
      left.body.map((m: { id: string }) => m.id),
      ['totp|dev_0001', 'email|dev_0003'],
    );
    const missing = await failure(h.management.users.authenticationMethods.delete(id, 'phone|dev_0002'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body.errorCode, 'inexistent_authentication_method');
    const other = await createUser();
    assertAuth0Error(
      await h.call(
        'DELETE',
        `/users/${encodeURIComponent(other.user_id!)}/authentication-methods/${encodeURIComponent('totp|dev_0001')}`,
      ),
      404,
      'inexistent_authentication_method',
      /does not exist/,
    );
    const reader = await h.tokenWith(['read:authentication_methods']);
    assertAuth0Error(
      await h.call(
        'DELETE',
        `/users/${encodeURIComponent(id)}/authentication-methods/${encodeURIComponent('totp|dev_0001')}`,
        { token: reader },
      ),
      403,
      'insufficient_scope',
      /delete:authentication_methods/,
    );
    assertAuth0Error(
      await h.call('GET', `/users/${encodeURIComponent(id)}/authentication-methods`, {
        token: await h.tokenWith(['read:users']),
      }),
      403,
      'insufficient_scope',
    );
    assert.equal(
      (await h.call('GET', `/users/${encodeURIComponent(id)}/authentication-methods`, { token: reader })).body
        .length,
      2,
    );
    assertAuth0Error(
      await h.call('GET', '/users/auth0%7Cnobody/authentication-methods'),
      404,
      'inexistent_user',
    );
  });
});
