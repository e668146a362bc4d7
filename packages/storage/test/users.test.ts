import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import { verifyPassword } from '../src/passwords.ts';
import { DATABASE_CONNECTION } from '../src/repositories/users.ts';
import type { Storage } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `users-${++counter}`, domains: [] });
const count = async (table: string, tenantId: string) => {
  const [row] = await storage.db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`,
    [tenantId],
  );
  return row?.n;
};

describe('the database connection', () => {
  it('is created once per tenant, Auth0-shaped, even when asked for concurrently', async () => {
    const tenant = await newTenant();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => storage.users.ensureDatabaseConnection(tenant.id)),
    );
    const [first] = results;
    assert.ok(first);
    assert.match(first.id, /^con_[A-Za-z0-9]{16}$/);
    assert.deepEqual(first, { id: first.id, name: 'Username-Password-Authentication', strategy: 'auth0' });
    for (const result of results) assert.deepEqual(result, first);
    assert.equal(await count('connections', tenant.id), 1);
    const other = await storage.users.ensureDatabaseConnection((await newTenant()).id);
    assert.notEqual(other.id, first.id);
  });
});

describe('users', () => {
  it('creates an Auth0-shaped user with its identity and password credential', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, {
      email: 'Jane.Doe@Example.COM',
      password: 'pa55word!',
      userMetadata: { theme: 'dark' },
      appMetadata: { plan: 'pro' },
    });
    assert.match(user.user_id, /^auth0\|[0-9a-f]{24}$/);
    const { created_at, updated_at, ...rest } = user;
    assert.deepEqual(rest, {
      user_id: user.user_id,
      email: 'jane.doe@example.com',
      email_verified: false,
      username: null,
      phone_number: null,
      phone_verified: false,
      name: 'jane.doe@example.com',
      given_name: null,
      family_name: null,
      nickname: 'jane.doe',
      picture: null,
      user_metadata: { theme: 'dark' },
      app_metadata: { plan: 'pro' },
      identities: [
        {
          connection: DATABASE_CONNECTION,
          provider: 'auth0',
          user_id: user.user_id.slice('auth0|'.length),
          isSocial: false,
        },
      ],
      blocked: false,
      logins_count: 0,
      last_login: null,
      last_ip: null,
      last_password_reset: null,
    });
    assert.equal(new Date(created_at).toISOString(), created_at);
    assert.equal(new Date(updated_at).toISOString(), updated_at);
    assert.deepEqual(await storage.users.findById(tenant.id, user.user_id), user);

    const [credential] = await storage.db.sql.query<{ hash: string }>(
      'SELECT hash FROM password_credentials WHERE tenant_id = $1 AND user_id = $2',
      [tenant.id, user.user_id],
    );
    assert.match(credential!.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword('pa55word!', credential!.hash), true);
  });

  it('keeps the given profile fields over the defaults', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, {
      email: 'ann@example.com',
      username: 'Ann_Lee',
      emailVerified: true,
      name: 'Ann Lee',
      givenName: 'Ann',
      familyName: 'Lee',
      nickname: 'annie',
      picture: 'https://example.com/ann.png',
      phoneNumber: '+14155550100',
    });
    assert.deepEqual(
      [user.username, user.email_verified, user.name, user.given_name, user.family_name, user.nickname],
      ['ann_lee', true, 'Ann Lee', 'Ann', 'Lee', 'annie'],
    );
    assert.deepEqual([user.picture, user.phone_number], ['https://example.com/ann.png', '+14155550100']);
  });

  it('refuses a second user with the same email in another case, and writes nothing for it', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: 'dup@example.com', password: 'first-one' });
    await assert.rejects(
      storage.users.create(tenant.id, { email: 'DUP@Example.com', password: 'second-one' }),
      (error) => error instanceof ConflictError && error.message === 'The user already exists.',
    );
    assert.equal(await count('users', tenant.id), 1);
    assert.equal(await count('identities', tenant.id), 1);
    assert.equal(await count('password_credentials', tenant.id), 1);
    // Another tenant is another namespace.
    await storage.users.create((await newTenant()).id, { email: 'dup@example.com' });
  });

  it('refuses a taken username, whatever its case, and lets only one of five racing signups win', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: 'a@example.com', username: 'shared' });
    await assert.rejects(
      storage.users.create(tenant.id, { email: 'b@example.com', username: 'SHARED' }),
      ConflictError,
    );
    const racing = await Promise.allSettled(
      Array.from({ length: 5 }, () => storage.users.create(tenant.id, { email: 'race@example.com' })),
    );
    assert.equal(racing.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of racing) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
    assert.equal(await count('users', tenant.id), 2);
    assert.equal(await count('identities', tenant.id), 2);
  });

  it('rejects invalid input before writing anything', async () => {
    const tenant = await newTenant();
    const bad = [
      { email: 'not-an-email' },
      { email: 'two@@example.com' },
      { email: 'spaces in@example.com' },
      { email: 'nodot@localhost' },
      { email: '' },
      { email: 'ok@example.com', username: 'has space' },
      { email: 'ok@example.com', phoneNumber: '4155550100' },
      { email: 'ok@example.com', password: '' },
      { email: 'ok@example.com', password: 'x'.repeat(1025) },
      { email: 'ok@example.com', givenName: 'x'.repeat(151) },
      { email: 'ok@example.com', userMetadata: [] as unknown as Record<string, unknown> },
      { email: 'ok@example.com', connection: 'no-such-connection' },
    ];
    for (const input of bad) {
      await assert.rejects(
        storage.users.create(tenant.id, input),
        InvalidRequestError,
        JSON.stringify(input),
      );
    }
    assert.equal(await count('users', tenant.id), 0);
  });

  it('finds users by email case-insensitively, and only in their tenant', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const user = await storage.users.create(tenant.id, { email: 'find.me@example.com' });
    assert.deepEqual(await storage.users.findByEmail(tenant.id, '  FIND.me@Example.com '), user);
    assert.equal(await storage.users.findByEmail(other.id, 'find.me@example.com'), undefined);
    assert.equal(await storage.users.findByEmail(tenant.id, 'nobody@example.com'), undefined);
    assert.equal(await storage.users.findById(other.id, user.user_id), undefined);
  });

  it('finds a user for login by email or username, with the password hash', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, {
      email: 'login@example.com',
      username: 'loginname',
      password: 'open sesame',
    });
    for (const identifier of ['login@example.com', 'LOGIN@example.com', 'loginname', 'LoginName']) {
      const found = await storage.users.findForLogin(tenant.id, identifier);
      assert.equal(found?.user.user_id, user.user_id, identifier);
      assert.equal(await verifyPassword('open sesame', found.passwordHash), true);
    }
    assert.equal(await storage.users.findForLogin(tenant.id, 'nobody'), undefined);
    assert.equal(await storage.users.findForLogin((await newTenant()).id, 'login@example.com'), undefined);
    await storage.users.create(tenant.id, { email: 'nopassword@example.com' });
    assert.equal(
      await storage.users.findForLogin(tenant.id, 'nopassword@example.com'),
      undefined,
      'a user without a password cannot log in with one',
    );
  });

  it('counts every one of 10 concurrent logins and keeps the last ip and time', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, { email: 'busy@example.com' });
    const at = new Date('2026-01-02T03:04:05.678Z');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        storage.users.recordLogin(tenant.id, user.user_id, { ip: `10.0.0.${i}`, at }),
      ),
    );
    const after = await storage.users.findById(tenant.id, user.user_id);
    assert.equal(after?.logins_count, 10);
    assert.equal(after?.last_login, '2026-01-02T03:04:05.678Z');
    assert.match(after?.last_ip ?? '', /^10\.0\.0\.\d$/);
    const returned = await storage.users.recordLogin(tenant.id, user.user_id, { ip: '::1', at });
    assert.equal(returned.logins_count, 11);
    assert.equal(returned.last_ip, '::1');
    await assert.rejects(
      storage.users.recordLogin((await newTenant()).id, user.user_id, { ip: null, at }),
      NotFoundError,
    );
  });

  it('replaces a password hash without touching last_password_reset', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, { email: 'rehash@example.com', password: 'old' });
    await storage.users.updatePasswordHash(tenant.id, user.user_id, '$argon2id$v=19$replaced');
    const found = await storage.users.findForLogin(tenant.id, 'rehash@example.com');
    assert.equal(found?.passwordHash, '$argon2id$v=19$replaced');
    assert.equal(found?.user.last_password_reset, null);
    await assert.rejects(storage.users.updatePasswordHash(tenant.id, 'auth0|nobody', 'x'), NotFoundError);
  });
});
