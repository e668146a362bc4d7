import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ActionsAdminPort, SessionAdmin } from '@tessera/core';
import { createManagement, type ManagementDeps } from '@tessera/management';
import { createLoginAttempts } from '@tessera/storage';
import Fastify, { type RouteOptions } from 'fastify';
import { type ManagementHarness, startManagement } from './helpers.ts';

/** The Actions runtime is not called while routes are registered; a call would fail the test loudly. */
const ACTIONS_NOT_CALLED: ActionsAdminPort = {
  allowedModules: [],
  check: () => Promise.reject(new Error('the actions runtime is not called by route registration')),
  test: () => Promise.reject(new Error('the actions runtime is not called by route registration')),
};

/** Nor are the login sessions read while routes are registered. */
const SESSIONS_NOT_CALLED: SessionAdmin = {
  find: () => Promise.reject(new Error('sessions are not read by route registration')),
  listByUser: () => Promise.reject(new Error('sessions are not read by route registration')),
  revoke: () => Promise.reject(new Error('sessions are not read by route registration')),
  revokeByUser: () => Promise.reject(new Error('sessions are not read by route registration')),
};

describe('Management API response schemas', () => {
  let harness: ManagementHarness;
  before(async () => {
    harness = await startManagement();
  });
  after(() => harness?.stop());

  it('declares a schema for the success answer of every route under /api/v2', async () => {
    const { server } = harness;
    const app = Fastify();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => {
      routes.push(route);
    });
    const deps: ManagementDeps = {
      storage: server.storage,
      issuerOf: () => server.firstRun.issuer,
      actions: ACTIONS_NOT_CALLED,
      loginAttempts: createLoginAttempts(server.kv),
      invalidateTenant: () => {},
      sessions: SESSIONS_NOT_CALLED,
      log: app.log,
    };
    await app.register(createManagement(deps));
    await app.ready();
    const api = routes.filter((route) => route.url.startsWith('/api/v2/') && route.method !== 'HEAD');
    // Every resource file is registered (users, clients, actions… and the empty Auth0 collections).
    assert.ok(api.length > 150, `only ${api.length} routes under /api/v2`);
    const missing = api
      .filter((route) => {
        const statuses = Object.keys((route.schema?.response ?? {}) as object);
        return !statuses.some((status) => /^2\d\d$/.test(status));
      })
      .map((route) => `${route.method} ${route.url}`);
    assert.deepEqual(missing, []);
    await app.close();
  });

  it('answers only the properties its schema names, whatever the stored record holds', async () => {
    const { call, server, tenantId } = harness;
    const created = await call('POST', '/clients', { body: { name: 'Schema app', app_type: 'spa' } });
    assert.equal(created.status, 201);
    const id = created.body.client_id as string;
    // A value stored by another writer than the API (a migration, an older version, the database
    // itself): the API's body schema would refuse it, and no answer may carry it.
    await server.storage.clients.update(tenantId, id, {
      jwtConfiguration: { alg: 'RS256', internal_signing_note: 'kept on the server' },
    });
    const expected = { alg: 'RS256', lifetime_in_seconds: 36_000, secret_encoded: false };

    const one = await call('GET', `/clients/${id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.jwt_configuration, expected);

    const listed = await call('GET', '/clients?per_page=100&include_totals=true');
    assert.equal(listed.status, 200);
    const found = listed.body.clients.find((client: { client_id: string }) => client.client_id === id);
    assert.deepEqual(found.jwt_configuration, expected);
    assert.ok(!JSON.stringify(listed.body).includes('internal_signing_note'));

    const patched = await call('PATCH', `/clients/${id}`, { body: { description: 'patched' } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.jwt_configuration, expected);
  });

  it('keeps free-form objects whole: metadata answer every key as written', async () => {
    const { call } = harness;
    const metadata = { plan: 'gold', region: 'eu' };
    const created = await call('POST', '/clients', {
      body: { name: 'Metadata app', client_metadata: metadata },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.client_metadata, metadata);
    assert.equal(typeof created.body.client_secret, 'string');
    const user = await call('POST', '/users', {
      body: {
        connection: 'Username-Password-Authentication',
        email: 'schema@example.com',
        password: 'a long enough password 1!',
        app_metadata: { roles: ['a'], nested: { deep: [1, { x: null }] } },
      },
    });
    assert.equal(user.status, 201);
    assert.deepEqual(user.body.app_metadata, { roles: ['a'], nested: { deep: [1, { x: null }] } });
  });
});
