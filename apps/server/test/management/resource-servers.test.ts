import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientCredentials, failure, newAudience } from './clients-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

/** `work` started `ms` later: concurrent requests staggered across the window of a race. */
const later = <T>(ms: number, work: () => Promise<T>) =>
  new Promise((resolve) => setTimeout(resolve, ms)).then(work);
const scopes = (...values: string[]) => values.map((value) => ({ value, description: `may ${value}` }));

describe('Management API /resource-servers and /client-grants', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const count = async () =>
    (await h.server.storage.resourceServers.list(h.tenantId, { skip: 0, take: 100 })).total;

  it('creates, reads (by id and by identifier), updates and deletes an API through the SDK', async () => {
    const identifier = newAudience('orders');
    const created = await h.management.resourceServers.create({
      identifier,
      name: 'Orders',
      scopes: scopes('read:orders', 'write:orders'),
      token_lifetime: 600,
      enforce_policies: true,
      token_dialect: 'access_token_authz',
    });
    assert.match(created.id!, /^[0-9a-f]{24}$/);
    assert.deepEqual(created, {
      id: created.id,
      name: 'Orders',
      identifier,
      is_system: false,
      scopes: scopes('read:orders', 'write:orders'),
      signing_alg: 'RS256',
      token_lifetime: 600,
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: true,
      enforce_policies: true,
      token_dialect: 'access_token_authz',
    });
    assert.deepEqual(await h.management.resourceServers.get(created.id!), created);
    assert.deepEqual(
      await h.management.resourceServers.get(identifier),
      created,
      'the identifier works as id',
    );

    const updated = await h.management.resourceServers.update(identifier, {
      name: 'Orders v2',
      scopes: scopes('read:orders'),
      allow_offline_access: true,
    });
    assert.equal(updated.name, 'Orders v2');
    assert.deepEqual(updated.scopes, scopes('read:orders'), 'scopes are replaced as a whole');
    assert.equal(updated.token_lifetime, 600, 'fields not sent are kept');
    assert.equal(updated.identifier, identifier);

    await h.management.resourceServers.delete(created.id!);
    const gone = await failure(h.management.resourceServers.get(created.id!));
    assert.deepEqual(gone.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The resource server does not exist',
      errorCode: 'inexistent_resource_server',
    });
  });

  it('applies token settings at once: lifetime and RBAC permissions of machine tokens', async () => {
    const audience = newAudience('ledger');
    await h.management.resourceServers.create({
      identifier: audience,
      name: 'Ledger',
      scopes: scopes('read:ledger'),
    });
    const client = await h.management.clients.create({ name: 'Ledger sync', app_type: 'non_interactive' });
    await h.management.clientGrants.create({
      client_id: client.client_id!,
      audience,
      scope: ['read:ledger'],
    });
    const first = await clientCredentials(h, client.client_id!, client.client_secret!, audience);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.claims?.permissions, undefined);

    await h.management.resourceServers.update(audience, {
      token_lifetime: 120,
      enforce_policies: true,
      token_dialect: 'access_token_authz',
    });
    const second = await clientCredentials(h, client.client_id!, client.client_secret!, audience);
    assert.equal(second.body.expires_in, 120);
    assert.deepEqual(second.claims?.permissions, ['read:ledger']);
  });

  it('takes a removed scope out of client grants and role permissions', async () => {
    const audience = newAudience('stock');
    await h.management.resourceServers.create({
      identifier: audience,
      name: 'Stock',
      scopes: scopes('read', 'write'),
    });
    const client = await h.management.clients.create({ name: 'Stock sync', app_type: 'non_interactive' });
    const grant = await h.management.clientGrants.create({
      client_id: client.client_id!,
      audience,
      scope: ['read', 'write'],
    });
    const role = await h.management.roles.create({ name: `stock-${Date.now()}` });
    await h.management.roles.permissions.add(role.id!, {
      permissions: ['read', 'write'].map((permission_name) => ({
        resource_server_identifier: audience,
        permission_name,
      })),
    });
    await h.management.resourceServers.update(audience, { scopes: scopes('read') });
    assert.deepEqual((await h.management.clientGrants.get(grant.id!)).scope, ['read']);
    const permissions = await h.call('GET', `/roles/${role.id}/permissions`);
    assert.deepEqual(
      permissions.body.map((p: { permission_name: string }) => p.permission_name),
      ['read'],
    );
    const token = await clientCredentials(
      h,
      client.client_id!,
      client.client_secret!,
      audience,
      'read write',
    );
    assert.equal(token.claims?.scope, 'read');
  });

  it('answers an update racing a delete of the same API with 200 or 404, never 500', async () => {
    for (let round = 0; round < 10; round++) {
      const identifier = newAudience(`doomed-${round}`);
      const created = await h.management.resourceServers.create({
        identifier,
        name: 'Doomed',
        scopes: scopes('a'),
      });
      const [update, removal] = await Promise.all([
        h.call('PATCH', `/resource-servers/${created.id}`, {
          body: { name: 'Renamed', scopes: scopes('b') },
        }),
        h.call('DELETE', `/resource-servers/${created.id}`),
      ]);
      assert.equal(removal.status, 204);
      if (update.status !== 200)
        assertAuth0Error(update, 404, 'inexistent_resource_server', /does not exist/);
      assert.equal(await h.server.storage.resourceServers.findById(h.tenantId, created.id!), undefined);
    }
  });

  it('refuses to delete the system API, and lets only its token settings change', async () => {
    const system = await h.management.resourceServers.get(h.audience);
    assert.equal(system.is_system, true);
    assertAuth0Error(
      await h.call('DELETE', `/resource-servers/${system.id}`),
      403,
      'operation_not_supported',
      /You cannot delete the system resource server/,
    );
    for (const body of [{ name: 'Mine now' }, { scopes: [] }, { enforce_policies: true }]) {
      assertAuth0Error(
        await h.call('PATCH', `/resource-servers/${system.id}`, { body }),
        400,
        'invalid_body',
        /Additional properties not allowed/,
      );
    }
    const changed = await h.call('PATCH', `/resource-servers/${encodeURIComponent(h.audience)}`, {
      body: { token_lifetime: 3600 },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.token_lifetime, 3600);
    assert.deepEqual(changed.body.scopes, system.scopes, 'the Management API keeps its scopes');
  });

  it('paginates with Auth0 totals and filters by identifiers', async () => {
    const made = [];
    for (const name of ['P1', 'P2', 'P3']) {
      made.push(
        await h.management.resourceServers.create({ identifier: newAudience(name.toLowerCase()), name }),
      );
    }
    const total = await count();
    const page = await h.call('GET', '/resource-servers?per_page=2&page=1&include_totals=true');
    assert.deepEqual(Object.keys(page.body).sort(), ['limit', 'resource_servers', 'start', 'total']);
    assert.deepEqual([page.body.start, page.body.limit, page.body.total], [2, 2, total]);
    const bare = await h.call('GET', '/resource-servers?per_page=2');
    assert.ok(Array.isArray(bare.body) && bare.body.length === 2);
    const all: string[] = [];
    for await (const api of await h.management.resourceServers.list({ per_page: 2 })) all.push(api.id!);
    assert.equal(new Set(all).size, total);
    const some = await h.management.resourceServers.list({
      identifiers: [made[0]!.identifier!, made[2]!.identifier!],
    });
    assert.deepEqual(some.data.map((api) => api.name).sort(), ['P1', 'P3']);
    const projected = await h.call('GET', `/resource-servers/${made[1]!.id}?fields=name,identifier`);
    assert.deepEqual(projected.body, { name: 'P2', identifier: made[1]!.identifier });
  });

  it('refuses a duplicate identifier (409), bad input (400) and callers without the scope (403), writing nothing', async () => {
    const identifier = newAudience('dup');
    await h.management.resourceServers.create({ identifier, name: 'First' });
    const reader = await h.tokenWith(['read:resource_servers']);
    const before = await count();
    assertAuth0Error(
      await h.call('POST', '/resource-servers', { body: { identifier, name: 'Second' } }),
      409,
      'conflict',
      /same identifier/,
    );
    const bad = async (body: unknown, message: RegExp) =>
      assertAuth0Error(await h.call('POST', '/resource-servers', { body }), 400, 'invalid_body', message);
    assertAuth0Error(await h.call('POST', '/resource-servers', { raw: '{' }), 400, 'invalid_body', /JSON/);
    await bad({ identifier: newAudience(), is_system: true }, /Additional properties not allowed: is_system/);
    await bad({ name: 'No identifier' }, /Missing required property: identifier/);
    await bad(
      { identifier: newAudience(), token_lifetime: '60' },
      /Expected type integer but found type string/,
    );
    await bad({ identifier: newAudience(), token_dialect: 'jwt' }, /No enum match/);
    await bad({ identifier: newAudience(), signing_alg: 'PS256' }, /no current signing key for PS256/);
    await bad({ identifier: newAudience(), scopes: [{ value: 'a' }, { value: 'a' }] }, /listed twice/);
    await bad({ identifier: newAudience(), scopes: [{ value: 'has space' }] }, /scopes/);
    await bad({ identifier: 'not a uri' }, /absolute URI/);
    assertAuth0Error(
      await h.call('POST', '/resource-servers', { token: reader, body: { identifier: newAudience() } }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('PATCH', `/resource-servers/${encodeURIComponent(identifier)}`, {
        token: reader,
        body: { name: 'x' },
      }),
      403,
      'insufficient_scope',
    );
    assertAuth0Error(
      await h.call('DELETE', `/resource-servers/${encodeURIComponent(identifier)}`, { token: reader }),
      403,
      'insufficient_scope',
    );
    assert.equal(await count(), before, 'nothing was created or deleted');
    assert.equal((await h.management.resourceServers.get(identifier)).name, 'First');
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await h.call(
        method,
        '/resource-servers/0123456789abcdef01234567',
        method === 'PATCH' ? { body: {} } : {},
      );
      assertAuth0Error(response, 404, 'inexistent_resource_server');
    }
  });

  describe('client grants', () => {
    it('grants, lists, narrows and revokes a client access to an API through the SDK, taking effect at once', async () => {
      const audience = newAudience('reports');
      await h.management.resourceServers.create({
        identifier: audience,
        name: 'Reports',
        scopes: scopes('read', 'export'),
      });
      const client = await h.management.clients.create({ name: 'Reporter', app_type: 'non_interactive' });
      const token = () => clientCredentials(h, client.client_id!, client.client_secret!, audience);
      assert.equal((await token()).body.error, 'access_denied', 'no grant yet');

      const grant = await h.management.clientGrants.create({
        client_id: client.client_id!,
        audience,
        scope: ['read', 'export'],
      });
      assert.match(grant.id!, /^cgr_[A-Za-z0-9]{16}$/);
      assert.deepEqual(grant, {
        id: grant.id,
        client_id: client.client_id,
        audience,
        scope: ['read', 'export'],
      });
      assert.equal((await token()).claims?.scope, 'read export', 'the grant works for the very next request');

      const listed = await h.management.clientGrants.list({ client_id: client.client_id! });
      assert.deepEqual(listed.data, [grant]);
      const narrowed = await h.management.clientGrants.update(grant.id!, { scope: ['read'] });
      assert.deepEqual(narrowed.scope, ['read']);
      assert.equal((await token()).claims?.scope, 'read');

      await h.management.clientGrants.delete(grant.id!);
      assert.equal((await token()).body.error, 'access_denied', 'revoked at once');
      assertAuth0Error(await h.call('GET', `/client-grants/${grant.id}`), 404, 'inexistent_client_grant');
    });

    it('never keeps a granted scope that a concurrent API update removed', async () => {
      const audience = newAudience('racing-grants');
      const api = `/resource-servers/${encodeURIComponent(audience)}`;
      const declare = (...values: string[]) => h.call('PATCH', api, { body: { scopes: scopes(...values) } });
      await h.management.resourceServers.create({ identifier: audience, name: 'Racing grants' });
      const client = await h.management.clients.create({ name: 'Racer', app_type: 'non_interactive' });
      const grant = await h.management.clientGrants.create({
        client_id: client.client_id!,
        audience,
        scope: [],
      });
      for (let round = 0; round < 20; round++) {
        const scope = `race:${round}`;
        assert.equal((await declare('keep', scope)).status, 200);
        // The removal does more work: the grant starts 0 to 4 ms later, to land inside it.
        const [removal, update] = await Promise.all([
          declare('keep'),
          later(round % 5, () =>
            h.call('PATCH', `/client-grants/${grant.id}`, { body: { scope: ['keep', scope] } }),
          ),
        ]);
        assert.ok([200, 400].includes(update.status), `round ${round}: ${update.status}`);
        assert.equal(removal.status, 200);
        const held = (await h.management.clientGrants.get(grant.id!)).scope;
        assert.ok(!held?.includes(scope), `round ${round}: ${held} still holds a removed scope`);
      }
      // Creation checks under the same lock.
      await declare('keep', 'last');
      const late = await h.management.clients.create({ name: 'Late racer', app_type: 'non_interactive' });
      const [created] = await Promise.all([
        h.call('POST', '/client-grants', { body: { client_id: late.client_id, audience, scope: ['last'] } }),
        declare('keep'),
      ]);
      assert.ok([201, 400].includes(created.status), `${created.status}`);
      const [made] = (await h.management.clientGrants.list({ client_id: late.client_id! })).data;
      assert.ok(!made?.scope?.includes('last'), 'the removed scope is not granted');
    });

    it('pages in both Auth0 modes (checkpoint and offset)', async () => {
      const audience = newAudience('paged');
      await h.management.resourceServers.create({ identifier: audience, name: 'Paged' });
      for (const name of ['G1', 'G2', 'G3']) {
        const client = await h.management.clients.create({ name, app_type: 'non_interactive' });
        await h.management.clientGrants.create({ client_id: client.client_id!, audience, scope: [] });
      }
      const ids: string[] = [];
      for await (const grant of await h.management.clientGrants.list({ audience, take: 2 }))
        ids.push(grant.id!);
      assert.equal(new Set(ids).size, 3, 'the SDK follows `next` through every grant');
      const first = await h.call('GET', `/client-grants?audience=${encodeURIComponent(audience)}&take=2`);
      assert.equal(first.body.client_grants.length, 2);
      assert.equal(first.body.next, first.body.client_grants[1].id);
      const offset = await h.call(
        'GET',
        `/client-grants?audience=${encodeURIComponent(audience)}&per_page=2&page=1&include_totals=true`,
      );
      assert.deepEqual(
        [offset.body.start, offset.body.limit, offset.body.total, offset.body.client_grants.length],
        [2, 2, 3, 1],
      );
    });

    it('refuses a duplicate (409), unknown scopes, clients and APIs, and callers without the scope', async () => {
      const audience = newAudience('guarded');
      await h.management.resourceServers.create({
        identifier: audience,
        name: 'Guarded',
        scopes: scopes('read'),
      });
      const client = await h.management.clients.create({
        name: 'Guarded client',
        app_type: 'non_interactive',
      });
      const grant = await h.management.clientGrants.create({
        client_id: client.client_id!,
        audience,
        scope: ['read'],
      });
      const reader = await h.tokenWith(['read:client_grants']);
      const body = { client_id: client.client_id, audience, scope: ['read'] };
      assertAuth0Error(
        await h.call('POST', '/client-grants', { body }),
        409,
        'client_grant_conflict',
        /already exists/,
      );
      assertAuth0Error(
        await h.call('POST', '/client-grants', { body: { ...body, scope: 'read' } }),
        400,
        'invalid_body',
        /Expected type array/,
      );
      assertAuth0Error(
        await h.call('POST', '/client-grants', { body: { ...body, audience: newAudience() } }),
        404,
        'inexistent_resource_server',
      );
      assertAuth0Error(
        await h.call('POST', '/client-grants', { body: { ...body, client_id: 'nobody' } }),
        404,
        'inexistent_client',
      );
      assertAuth0Error(
        await h.call('PATCH', `/client-grants/${grant.id}`, { body: { scope: ['read', 'delete'] } }),
        400,
        'invalid_body',
        /'delete' is not a scope/,
      );
      // The grant's own audience may come back (a round trip); another one is a change PATCH cannot make.
      assertAuth0Error(
        await h.call('PATCH', `/client-grants/${grant.id}`, { body: { audience: newAudience() } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: audience/,
      );
      assertAuth0Error(
        await h.call('PATCH', `/client-grants/${grant.id}`, { token: reader, body: { scope: [] } }),
        403,
        'insufficient_scope',
      );
      assertAuth0Error(
        await h.call('DELETE', `/client-grants/${grant.id}`, { token: reader }),
        403,
        'insufficient_scope',
      );
      assert.deepEqual(await h.management.clientGrants.get(grant.id!), grant, 'nothing changed');
      assertAuth0Error(
        await h.call('DELETE', '/client-grants/cgr_doesnotexist0000'),
        404,
        'inexistent_client_grant',
      );
    });
  });
});
