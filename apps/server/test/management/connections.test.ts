import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure } from './users-helpers.ts';

const DB = 'Username-Password-Authentication';

describe('Management API connections', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const addConnection = (id: string, name: string, strategy: string, options: Record<string, unknown> = {}) =>
    h.server.storage.db.prisma.connection.create({
      data: {
        id,
        tenantId: h.tenantId,
        name,
        strategy,
        options: options as never,
        enabledClients: ['client-a'],
      },
    });

  it('has the database connection from the start, before any user, in Auth0 shape', async () => {
    const users = await h.call('GET', '/users?include_totals=true');
    assert.equal(users.body.total, 0, 'no user exists yet');
    const page = await h.management.connections.list();
    assert.equal(page.data.length, 1);
    const [connection] = page.data;
    assert.match(connection!.id!, /^con_[A-Za-z0-9]{16}$/);
    assert.deepEqual(connection, {
      id: connection!.id,
      name: DB,
      strategy: 'auth0',
      options: { password_complexity_options: { min_length: 8 }, disable_self_service_change_password: true },
      enabled_clients: [],
      realms: [DB],
      is_domain_connection: false,
    });
    assert.deepEqual(await h.management.connections.get(connection!.id!), connection);
    const created = await h.management.users.create({
      connection: DB,
      email: 'first@example.com',
      password: 'Long-Enough-1',
    });
    assert.equal(created.identities?.[0]?.connection, DB, 'the first user lands in that very connection');
    assert.equal(
      (await h.management.connections.list()).data.length,
      1,
      'no second database connection appears',
    );
  });

  it('never returns an upstream provider’s secrets, and answers an unknown id with 404 inexistent_connection', async () => {
    await addConnection('con_google0000000001', 'google-oauth2', 'google-oauth2', {
      client_id: 'google-client',
      client_secret: 'TOP-SECRET-VALUE',
      scope: ['email', 'profile'],
      nested: { private_key: 'PRIVATE-KEY-VALUE', keep: 1 },
    });
    const google = await h.management.connections.get('con_google0000000001');
    assert.deepEqual(google.options, {
      client_id: 'google-client',
      scope: ['email', 'profile'],
      nested: { keep: 1 },
    });
    assert.deepEqual(google.enabled_clients, ['client-a']);
    const listed = await h.call('GET', '/connections');
    assert.ok(!JSON.stringify(listed.body).includes('TOP-SECRET-VALUE'));
    assert.ok(!JSON.stringify(listed.body).includes('PRIVATE-KEY-VALUE'));
    const projected = await h.management.connections.get('con_google0000000001', {
      fields: 'name,strategy',
      include_fields: true,
    });
    assert.deepEqual(projected, { name: 'google-oauth2', strategy: 'google-oauth2' });
    const error = await failure(h.management.connections.get('con_doesnotexist0000'));
    assert.deepEqual(error.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The connection does not exist.',
      errorCode: 'inexistent_connection',
    });
  });

  it('filters by strategy (one or several) and by name', async () => {
    await addConnection('con_github0000000001', 'github', 'github');
    const names = (body: { name: string }[]) => body.map((c) => c.name);
    assert.deepEqual(names((await h.call('GET', '/connections?strategy=auth0')).body), [DB]);
    assert.deepEqual(
      names((await h.call('GET', '/connections?strategy=auth0&strategy=github')).body).sort(),
      ['Username-Password-Authentication', 'github'],
    );
    const sdk = await h.management.connections.list({ strategy: ['github', 'google-oauth2'] as never });
    assert.deepEqual(sdk.data.map((c) => c.name).sort(), ['github', 'google-oauth2']);
    assert.deepEqual(names((await h.call('GET', '/connections?name=github')).body), ['github']);
    assert.deepEqual((await h.call('GET', '/connections?name=nope')).body, []);
  });

  it('pages with page/per_page/include_totals and with from/take checkpoints', async () => {
    const all = (await h.call('GET', '/connections')).body.map((c: { id: string }) => c.id);
    assert.ok(all.length >= 3);
    const offset = await h.call('GET', '/connections?page=1&per_page=1&include_totals=true');
    assert.deepEqual(
      { ...offset.body, connections: offset.body.connections.map((c: { id: string }) => c.id) },
      { connections: [all[1]], start: 1, limit: 1, length: 1, total: all.length },
    );
    const first = await h.call('GET', '/connections?take=2');
    assert.deepEqual(
      first.body.connections.map((c: { id: string }) => c.id),
      all.slice(0, 2),
    );
    assert.equal(first.body.next, all[2]);
    const seen: string[] = [];
    for await (const connection of await h.management.connections.list({ take: 1 }))
      seen.push(connection.id!);
    assert.deepEqual(seen, all, 'the SDK follows `next` through every connection once');
    assertAuth0Error(
      await h.call('GET', '/connections?from=con_unknown'),
      400,
      'invalid_query_string',
      /from/,
    );
    assertAuth0Error(await h.call('GET', '/connections?take=0'), 400, 'invalid_query_string', /take/);
    assertAuth0Error(await h.call('GET', '/connections?colour=red'), 400, 'invalid_query_string', /colour/);
  });

  it('answers 403 insufficient_scope without read:connections', async () => {
    const token = await h.tokenWith(['read:users']);
    assertAuth0Error(
      await h.call('GET', '/connections', { token }),
      403,
      'insufficient_scope',
      /read:connections/,
    );
    const id = (await h.call('GET', '/connections?strategy=auth0')).body[0].id;
    assertAuth0Error(await h.call('GET', `/connections/${id}`, { token }), 403, 'insufficient_scope');
    const reader = await h.tokenWith(['read:connections']);
    assert.equal((await h.call('GET', `/connections/${id}`, { token: reader })).status, 200);
  });
});
