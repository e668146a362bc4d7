import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '@tessera/storage';
import { openTestStorage } from '@tessera/testing';
import { buildPostLoginEvent } from '../../src/index.ts';
import { action, handler, useRuntime } from './helpers.ts';

const fixture = useRuntime({ workers: 1 });

describe('an event built from a real login', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
  });
  after(() => drop());

  test('carries the stored user, roles, connection and request to the action, without the password', async () => {
    const tenant = await storage.tenants.create({ name: 'ev', domains: ['ev.test'] });
    const connection = await storage.users.ensureDatabaseConnection(tenant.id);
    const created = await storage.users.create(tenant.id, {
      email: 'ada@example.com',
      password: 'correct horse battery',
      name: 'Ada',
    });
    const user = await storage.users.recordLogin(tenant.id, created.user_id, {
      ip: '203.0.113.9',
      at: new Date(),
    });
    const role = await storage.roles.create(tenant.id, { name: 'admin' });
    await storage.roles.assign(tenant.id, user.user_id, [role.id]);
    const event = buildPostLoginEvent({
      tenantId: tenant.id,
      user,
      client: { clientId: 'client_1', name: 'Dashboard' },
      connection,
      request: {
        ip: '203.0.113.9',
        hostname: 'ev.test',
        method: 'POST',
        body: { username: 'ada@example.com', password: 'correct horse battery', state: 'abc' },
      },
      transaction: { id: 'tx_1', protocol: 'oidc-basic-profile', requestedScopes: 'openid profile' },
      roles: await storage.roles.roleNamesOf(tenant.id, user.user_id),
    });
    const result = await fixture.run(
      [
        action(
          handler(`console.log(JSON.stringify({
      id: event.user.user_id, email: event.user.email, roles: event.authorization.roles,
      connection: [event.connection.name, event.connection.strategy], logins: event.stats.logins_count,
      body: event.request.body, scopes: event.transaction.requested_scopes, tenant: event.tenant.id }));`),
        ),
      ],
      { tenantId: tenant.id, patch: (e) => Object.assign(e, event) },
    );
    assert.equal(result.outcome, 'completed');
    const seen = JSON.parse(result.logs[0]?.message ?? '{}');
    assert.deepEqual(seen, {
      id: user.user_id,
      email: 'ada@example.com',
      roles: ['admin'],
      connection: ['Username-Password-Authentication', 'auth0'],
      logins: 1,
      body: { username: 'ada@example.com', state: 'abc' },
      scopes: ['openid', 'profile'],
      tenant: tenant.id,
    });
    assert.match(user.user_id, /^auth0\|/);
  });
});
