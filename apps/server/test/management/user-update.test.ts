import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '@tessera/storage';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure, newEmail, PASSWORD } from './users-helpers.ts';

const DB = 'Username-Password-Authentication';

describe('Management API user updates and deletion', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const createUser = (extra: Record<string, unknown> = {}) =>
    h.management.users.create({ connection: DB, email: newEmail(), password: PASSWORD, ...extra });
  const loginHash = async (email: string) =>
    (await h.server.storage.users.findForLogin(h.tenantId, email))?.passwordHash ?? '';
  const path = (userId: string) => `/users/${encodeURIComponent(userId)}`;

  it('merges metadata as Auth0 does: top-level keys replaced whole, null deletes a key, {} clears it all', async () => {
    const user = await createUser({
      user_metadata: { theme: 'dark', address: { city: 'Paris', zip: '75001' } },
      app_metadata: { plan: 'free', tier: 1 },
    });
    const id = user.user_id!;
    const merged = await h.management.users.update(id, {
      user_metadata: { address: { city: 'Lyon' }, lang: 'fr' },
      app_metadata: { plan: null, roles: ['admin'] },
    });
    assert.deepEqual(merged.user_metadata, { theme: 'dark', address: { city: 'Lyon' }, lang: 'fr' });
    assert.deepEqual(merged.app_metadata, { tier: 1, roles: ['admin'] });
    const renamed = await h.management.users.update(id, { name: 'Renamed' });
    assert.deepEqual(
      renamed.user_metadata,
      merged.user_metadata,
      'metadata left out of a PATCH is untouched',
    );
    assert.deepEqual(renamed.app_metadata, merged.app_metadata);
    const cleared = await h.management.users.update(id, { app_metadata: {} });
    assert.equal(cleared.app_metadata, undefined, 'an empty object removes the metadata completely');
    assert.deepEqual(cleared.user_metadata, merged.user_metadata);
    const stored = await h.server.storage.users.findById(h.tenantId, id);
    assert.deepEqual(stored?.app_metadata, {});
  });

  it('updates profile fields, unverifies a new email, blocks, unsets with null, and re-hashes a new password', async () => {
    const user = await createUser({ given_name: 'Ann', phone_number: '+14155550100', email_verified: true });
    const id = user.user_id!;
    const email = newEmail('moved');
    const updated = await h.management.users.update(id, {
      email,
      given_name: null,
      family_name: 'Smith',
      nickname: 'annie',
      picture: 'https://example.com/a.png',
      blocked: true,
      username: 'annie_s',
      phone_number: null,
    });
    assert.equal(updated.email, email);
    assert.equal(updated.email_verified, false, 'a changed email is unverified unless the PATCH says so');
    assert.equal(updated.given_name, undefined);
    assert.equal(updated.family_name, 'Smith');
    assert.equal(updated.nickname, 'annie');
    assert.equal(updated.picture, 'https://example.com/a.png');
    assert.equal(updated.blocked, true);
    assert.equal(updated.username, 'annie_s');
    assert.equal(updated.phone_number, undefined);
    assert.equal(updated.last_password_reset, undefined);
    assert.ok(updated.updated_at! > user.updated_at!);
    const verified = await h.management.users.update(id, { email_verified: true, blocked: false });
    assert.equal(verified.email_verified, true);
    assert.equal(verified.blocked, false);

    const newPassword = 'Brand-New-Secret-7';
    const reset = await h.management.users.update(id, { password: newPassword, connection: DB });
    assert.ok(reset.last_password_reset, 'a new password records last_password_reset');
    assert.ok(!JSON.stringify(reset).includes(newPassword));
    const hash = await loginHash(email);
    assert.ok(await verifyPassword(newPassword, hash));
    assert.equal(await verifyPassword(PASSWORD, hash), false, 'the old password no longer logs in');
    assertAuth0Error(
      await h.call('PATCH', path(id), { body: { password: 'weak' } }),
      400,
      'invalid_password',
      /PasswordStrengthError/,
    );
  });

  it('answers an email or username another user has with 409 and writes nothing of the request', async () => {
    const other = await createUser({ username: 'someone_else' });
    const user = await createUser({ name: 'Before', app_metadata: { keep: true } });
    const id = user.user_id!;
    const attempt = {
      email: other.email!.toUpperCase(),
      name: 'After',
      app_metadata: { keep: null, added: 1 },
      password: 'Would-Be-Password-1',
    };
    const error = await failure(h.management.users.update(id, attempt));
    assert.deepEqual(error.body, {
      statusCode: 409,
      error: 'Conflict',
      message: 'The specified new email already exists',
      errorCode: 'auth0_idp_error',
    });
    assertAuth0Error(
      await h.call('PATCH', path(id), { body: { username: 'Someone_Else', name: 'After' } }),
      409,
      'auth0_idp_error',
      /^The username provided is in use already\.$/,
    );
    const after = await h.management.users.get(id);
    assert.deepEqual(after, user, 'no field, metadata or timestamp of the failed PATCHes was written');
    assert.ok(await verifyPassword(PASSWORD, await loginHash(user.email!)), 'the password is unchanged');
  });

  it('refuses unknown fields, wrong types, empty strings, an empty body and malformed JSON; unknown users are 404', async () => {
    const user = await createUser();
    const id = path(user.user_id!);
    const patch = (body: unknown) => h.call('PATCH', id, { body });
    assertAuth0Error(
      await patch({ name: 'x', roles: [] }),
      400,
      'invalid_body',
      /Additional properties not allowed: roles/,
    );
    assertAuth0Error(await patch({ blocked: 'yes' }), 400, 'invalid_body', /on property blocked/);
    assertAuth0Error(await patch({ app_metadata: ['a'] }), 400, 'invalid_body', /on property app_metadata/);
    assertAuth0Error(await patch({ name: '' }), 400, 'invalid_body', /too short/);
    assertAuth0Error(await patch({ email: 'not an email' }), 400, 'invalid_body', /email/);
    assertAuth0Error(await patch({ phone_number: '0612' }), 400, 'invalid_body', /E\.164/);
    assertAuth0Error(
      await patch({ connection: 'other-db' }),
      400,
      'invalid_body',
      /no identity in connection/,
    );
    assertAuth0Error(await patch({}), 400, 'invalid_body', /Too few properties defined \(0\)/);
    assertAuth0Error(await h.call('PATCH', id, { raw: '{"name": "x",' }), 400, 'invalid_body', /JSON/);
    assert.deepEqual(await h.management.users.get(user.user_id!), user);
    assertAuth0Error(
      await h.call('PATCH', path('auth0|000000000000000000000000'), { body: { name: 'x' } }),
      404,
      'inexistent_user',
      /^The user does not exist\.$/,
    );
  });

  it('deletes a user with its credentials (204); deleting again is still 204', async () => {
    const user = await createUser();
    await h.management.users.delete(user.user_id!);
    assert.equal((await failure(h.management.users.get(user.user_id!))).statusCode, 404);
    assert.equal(await h.server.storage.users.findForLogin(h.tenantId, user.email!), undefined);
    const again = await h.call('DELETE', path(user.user_id!));
    assert.equal(again.status, 204);
  });

  it('answers 403 insufficient_scope to a caller without the scope, and nothing changes', async () => {
    const user = await createUser({ name: 'Unchanged' });
    const id = path(user.user_id!);
    const reader = await h.tokenWith(['read:users']);
    const creator = await h.tokenWith(['create:users']);
    const total = async () => (await h.call('GET', '/users?include_totals=true&per_page=1')).body.total;
    const before = await total();
    assertAuth0Error(
      await h.call('POST', '/users', {
        token: reader,
        body: { connection: DB, email: newEmail(), password: PASSWORD },
      }),
      403,
      'insufficient_scope',
      /expected any of: create:users/,
    );
    assertAuth0Error(
      await h.call('PATCH', id, { token: reader, body: { name: 'Changed' } }),
      403,
      'insufficient_scope',
      /update:users/,
    );
    assertAuth0Error(
      await h.call('DELETE', id, { token: creator }),
      403,
      'insufficient_scope',
      /delete:users/,
    );
    assertAuth0Error(await h.call('GET', id, { token: creator }), 403, 'insufficient_scope', /read:users/);
    assertAuth0Error(
      await h.call('GET', '/users-by-email?email=a@example.com', { token: creator }),
      403,
      'insufficient_scope',
    );
    assert.equal(await total(), before);
    assert.deepEqual((await h.call('GET', id, { token: reader })).body, user);
  });

  it('lets update:users_app_metadata change app_metadata and nothing else', async () => {
    const user = await createUser({ name: 'Ada', app_metadata: { plan: 'free' } });
    const id = path(user.user_id!);
    const token = await h.tokenWith(['update:users_app_metadata']);
    const changed = await h.call('PATCH', id, { token, body: { app_metadata: { plan: 'pro' } } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.app_metadata, { plan: 'pro' });
    assertAuth0Error(
      await h.call('PATCH', id, { token, body: { app_metadata: { plan: 'x' }, name: 'Eve' } }),
      403,
      'insufficient_scope',
      /update:users/,
    );
    const read = await h.call('GET', id);
    assert.equal(read.body.name, 'Ada');
    assert.deepEqual(read.body.app_metadata, { plan: 'pro' });
  });
});
