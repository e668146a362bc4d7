import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '@tessera/storage';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure, newEmail, PASSWORD } from './users-helpers.ts';

const DB = 'Username-Password-Authentication';

describe('Management API users', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const createUser = (extra: Record<string, unknown> = {}) =>
    h.management.users.create({ connection: DB, email: newEmail(), password: PASSWORD, ...extra });
  const countUsers = async () =>
    (await h.call('GET', '/users?include_totals=true&per_page=1')).body.total as number;
  const loginHash = async (email: string) =>
    (await h.server.storage.users.findForLogin(h.tenantId, email))?.passwordHash ?? '';

  it('creates a database user in Auth0 shape, and the password it was given logs in', async () => {
    const email = newEmail('Alice');
    const user = await h.management.users.create({
      connection: DB,
      email,
      password: PASSWORD,
      given_name: 'Alice',
      family_name: 'Liddell',
      user_metadata: { theme: 'dark' },
      app_metadata: { plan: 'pro' },
      email_verified: true,
      verify_email: false,
    });
    assert.match(user.user_id!, /^auth0\|[0-9a-f]{24}$/);
    assert.equal(user.email, email.toLowerCase());
    assert.equal(user.email_verified, true);
    assert.equal(user.name, email.toLowerCase(), 'Auth0 names a database user after its email');
    assert.equal(user.nickname, email.toLowerCase().split('@')[0]);
    assert.deepEqual(user.identities, [
      { connection: DB, provider: 'auth0', user_id: user.user_id!.slice('auth0|'.length), isSocial: false },
    ]);
    assert.deepEqual(user.user_metadata, { theme: 'dark' });
    assert.deepEqual(user.app_metadata, { plan: 'pro' });
    assert.equal(user.blocked, false);
    assert.equal(user.logins_count, 0);
    assert.equal(user.password, undefined);
    assert.ok(!JSON.stringify(user).includes(PASSWORD), 'the password never comes back');
    const hash = await loginHash(email);
    assert.ok(await verifyPassword(PASSWORD, hash), 'the stored hash accepts the password');
    assert.equal(await verifyPassword(`${PASSWORD}x`, hash), false);
  });

  it('refuses weak passwords, unknown or non-database connections and bad bodies, creating nothing', async () => {
    await h.server.storage.db.prisma.connection.create({
      data: {
        id: 'con_social00000001',
        tenantId: h.tenantId,
        name: 'google-oauth2',
        strategy: 'google-oauth2',
      },
    });
    const before = await countUsers();
    const post = (body: unknown) => h.call('POST', '/users', { body });
    const base = { connection: DB, email: newEmail(), password: PASSWORD };
    assertAuth0Error(
      await post({ ...base, password: 'short' }),
      400,
      'invalid_password',
      /^PasswordStrengthError: Password is too weak$/,
    );
    assertAuth0Error(
      await post({ ...base, connection: 'nope' }),
      400,
      'inexistent_connection',
      /^The connection does not exist\.$/,
    );
    assertAuth0Error(
      await post({ ...base, connection: 'google-oauth2' }),
      400,
      'invalid_body',
      /not a database connection/,
    );
    assertAuth0Error(
      await post({ email: base.email, password: PASSWORD }),
      400,
      'invalid_body',
      /Missing required property: connection/,
    );
    assertAuth0Error(
      await post({ ...base, role: 'admin' }),
      400,
      'invalid_body',
      /Additional properties not allowed: role/,
    );
    assertAuth0Error(
      await post({ ...base, email_verified: 'true' }),
      400,
      'invalid_body',
      /'Expected type boolean but found type string' on property email_verified/,
    );
    assertAuth0Error(await post({ ...base, email: 'not-an-email' }), 400, 'invalid_body', /email/);
    assertAuth0Error(
      await h.call('POST', '/users', { raw: '{"email": ' }),
      400,
      'invalid_body',
      /Invalid request payload JSON format/,
    );
    assert.equal(await countUsers(), before);
    assert.equal(await h.server.storage.users.findByEmail(h.tenantId, base.email), undefined);
  });

  it('answers a duplicate email, in any case, with 409 auth0_idp_error and leaves the first user as it was', async () => {
    const email = newEmail('dup');
    const first = await createUser({ email, name: 'First' });
    const before = await countUsers();
    const error = await failure(
      createUser({ email: email.toUpperCase(), name: 'Second', password: 'Another-Pass1' }),
    );
    assert.equal(error.statusCode, 409);
    assert.deepEqual(error.body, {
      statusCode: 409,
      error: 'Conflict',
      message: 'The user already exists.',
      errorCode: 'auth0_idp_error',
    });
    assert.equal(await countUsers(), before);
    const stored = await h.management.users.get(first.user_id!);
    assert.equal(stored.name, 'First');
    assert.ok(await verifyPassword(PASSWORD, await loginHash(email)), 'the first password still logs in');
    const taken = await h.call('POST', '/users', {
      body: { connection: DB, email: newEmail(), password: PASSWORD, username: 'taken_name' },
    });
    assert.equal(taken.status, 201);
    assertAuth0Error(
      await h.call('POST', '/users', {
        body: { connection: DB, email: newEmail(), password: PASSWORD, username: 'TAKEN_name' },
      }),
      409,
      'auth0_idp_error',
      /^The username provided is in use already\.$/,
    );
  });

  it('gets a user with fields/include_fields, and answers an unknown id with 404 inexistent_user', async () => {
    const user = await createUser({ nickname: 'nick' });
    const full = await h.management.users.get(user.user_id!);
    assert.deepEqual(full, user);
    const some = await h.management.users.get(user.user_id!, {
      fields: 'email,nickname',
      include_fields: true,
    });
    assert.deepEqual(some, { email: user.email, nickname: 'nick' });
    const without = await h.call(
      'GET',
      `/users/${encodeURIComponent(user.user_id!)}?fields=identities,app_metadata&include_fields=false`,
    );
    assert.equal(without.body.identities, undefined);
    assert.equal(without.body.user_id, user.user_id);
    const error = await failure(h.management.users.get('auth0|000000000000000000000000'));
    assert.deepEqual(error.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
    });
    assertAuth0Error(
      await h.call('GET', `/users/${user.user_id}?colour=red`),
      400,
      'invalid_query_string',
      /colour/,
    );
  });

  it('lists users page by page with include_totals, and sorts them', async () => {
    for (let i = 0; i < 3; i++) await createUser();
    const all = await h.call('GET', '/users?per_page=100&sort=created_at:1');
    assert.equal(all.status, 200);
    assert.ok(Array.isArray(all.body), 'without include_totals the list is a bare array');
    const ids = all.body.map((u: { user_id: string }) => u.user_id);
    const first = await h.management.users.list({ per_page: 2, page: 0, sort: 'created_at:1' });
    assert.deepEqual(
      {
        start: first.response.start,
        limit: first.response.limit,
        length: first.response.length,
        total: first.response.total,
      },
      { start: 0, limit: 2, length: 2, total: ids.length },
    );
    const paged: string[] = [];
    for await (const user of first) paged.push(user.user_id!);
    assert.deepEqual(paged, ids, 'the SDK pages through every user once, in order');
    // Against the ascending order, not a JS sort: the database's collation decides what "sorted" means.
    const emailsBy = async (order: string) =>
      (await h.call('GET', `/users?per_page=100&sort=email:${order}`)).body.map(
        (u: { email: string }) => u.email,
      );
    const ascending = await emailsBy('1');
    assert.deepEqual(new Set(ascending), new Set(all.body.map((u: { email: string }) => u.email)));
    assert.deepEqual(await emailsBy('-1'), [...ascending].reverse());
    assert.notDeepEqual(ascending, await emailsBy('-1'));
    const projected = await h.call('GET', '/users?per_page=1&fields=user_id&include_fields=true');
    assert.deepEqual(Object.keys(projected.body[0]), ['user_id']);
    assertAuth0Error(
      await h.call('GET', '/users?sort=password:1'),
      400,
      'invalid_query_string',
      /cannot sort by/,
    );
    assertAuth0Error(
      await h.call('GET', '/users?page=20&per_page=50'),
      400,
      'invalid_query_string',
      /first 1000 records/,
    );
    assertAuth0Error(await h.call('GET', '/users?per_page=101'), 400, 'invalid_query_string', /per_page/);
  });

  it('searches by exact email or user_id with q; other searches are 400 naming what is supported', async () => {
    const email = newEmail('search');
    const user = await createUser({ email });
    await createUser({ email: `x${email}` });
    const byQuoted = await h.management.users.list({ q: `email:"${email}"`, search_engine: 'v3' });
    assert.deepEqual(
      byQuoted.data.map((u) => u.user_id),
      [user.user_id],
    );
    const byBare = await h.call(
      'GET',
      `/users?q=${encodeURIComponent(`email:${email.toUpperCase()}`)}&search_engine=v3`,
    );
    assert.deepEqual(
      byBare.body.map((u: { user_id: string }) => u.user_id),
      [user.user_id],
    );
    const byId = await h.call('GET', `/users?q=${encodeURIComponent(`user_id:"${user.user_id}"`)}`);
    assert.deepEqual(
      byId.body.map((u: { user_id: string }) => u.user_id),
      [user.user_id],
    );
    const both = await h.call(
      'GET',
      `/users?q=${encodeURIComponent(`email:"${email}" AND user_id:"auth0|other"`)}`,
    );
    assert.deepEqual(both.body, []);
    for (const q of [
      'name:"Alice"',
      'email:*@example.com',
      `email:"${email}" OR email:"b@example.com"`,
      'alice',
    ]) {
      assertAuth0Error(
        await h.call('GET', `/users?q=${encodeURIComponent(q)}`),
        400,
        'invalid_query_string',
        /supports email:"<email>" and user_id:"<user id>"/,
      );
    }
    assertAuth0Error(await h.call('GET', '/users?search_engine=v1'), 400, 'invalid_query_string');
  });

  it('finds users by email through users-by-email, case-insensitively, with fields', async () => {
    const email = newEmail('byemail');
    const user = await createUser({ email });
    const found = await h.management.users.listUsersByEmail({ email: email.toUpperCase() });
    assert.deepEqual(
      found.map((u) => u.user_id),
      [user.user_id],
    );
    const projected = await h.management.users.listUsersByEmail({
      email,
      fields: 'user_id',
      include_fields: true,
    });
    assert.deepEqual(projected, [{ user_id: user.user_id }]);
    assert.deepEqual(await h.management.users.listUsersByEmail({ email: newEmail('nobody') }), []);
    assertAuth0Error(
      await h.call('GET', '/users-by-email'),
      400,
      'invalid_query_string',
      /Missing required property: email/,
    );
  });
});
