import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POST_LOGIN } from './actions-helpers.ts';
import { failure, newAudience } from './clients-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: a GET answer is sent back as it came, whatever its SDK type
type Any = any;

/**
 * What Auth0's deploy CLI (auth0-deploy-cli) needs of the Management API beyond the endpoints
 * themselves, each proved with the `auth0` SDK 7.1.0 and raw HTTP for the wire: the filters its list
 * calls send, the system API as it recognises Auth0's, objects read and written back whole, 404 for
 * what does not exist, and action secrets sent by name only.
 */
describe('Management API: what Auth0 tools send', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  describe('roles: the filters the deploy CLI and the SDK send', () => {
    it('lists tenant roles for type=tenant, as the deploy CLI asks (GET /roles?type=tenant)', async () => {
      const made = await h.management.roles.create({ name: 'compat-reader', description: 'Reads' });
      const raw = await h.call('GET', '/roles?type=tenant&per_page=100&page=0&include_totals=true');
      assert.equal(raw.status, 200, JSON.stringify(raw.body));
      assert.deepEqual(Object.keys(raw.body).sort(), ['limit', 'roles', 'start', 'total']);
      assert.ok(raw.body.roles.some((role: { id: string }) => role.id === made.id));
      const listed = await h.management.roles.list({ type: 'tenant', include_totals: true, per_page: 100 });
      assert.deepEqual(
        listed.data.find((role) => role.id === made.id),
        { id: made.id, name: 'compat-reader', description: 'Reads' },
      );
    });

    it('lists no organization roles (Tessera has no organizations), and wants owner_id only with them', async () => {
      await h.management.roles.create({ name: 'compat-any' });
      const org = await h.management.roles.list({ type: 'organization', owner_id: 'org_abc' });
      assert.deepEqual(org.data, []);
      assertAuth0Error(
        await h.call('GET', '/roles?type=organization'),
        400,
        'invalid_query_string',
        /'owner_id' is required when type is 'organization'/,
      );
      assertAuth0Error(
        await h.call('GET', '/roles?owner_id=org_abc'),
        400,
        'invalid_query_string',
        /'owner_id' is only allowed when type is 'organization'/,
      );
      assertAuth0Error(await h.call('GET', '/roles?type=team'), 400, 'invalid_query_string', /No enum match/);
      assertAuth0Error(
        await h.call('GET', '/roles?kind=tenant'),
        400,
        'invalid_query_string',
        /Additional properties not allowed: kind/,
      );
    });

    it('filters by name_filter, case-insensitive, taking its characters literally', async () => {
      await h.management.roles.create({ name: 'Filter_One' });
      await h.management.roles.create({ name: 'filterXtwo' });
      const names = async (filter: string) =>
        (await h.management.roles.list({ name_filter: filter, type: 'tenant' })).data
          .map((r) => r.name)
          .sort();
      assert.deepEqual(await names('FILTER'), ['Filter_One', 'filterXtwo']);
      assert.deepEqual(await names('filter_'), ['Filter_One'], 'an underscore is not a wildcard');
      assert.deepEqual(await names('%'), [], 'nor a percent sign');
    });

    it('creates a role with type tenant (what an export carries), and refuses organization roles', async () => {
      const created = await h.call('POST', '/roles', { body: { name: 'compat-typed', type: 'tenant' } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual(Object.keys(created.body).sort(), ['description', 'id', 'name']);
      const before = await h.call('GET', '/roles?include_totals=true');
      for (const body of [
        { name: 'compat-org', type: 'organization', owner_id: 'org_abc' },
        { name: 'compat-org', owner_id: 'org_abc' },
      ]) {
        assertAuth0Error(await h.call('POST', '/roles', { body }), 400, 'invalid_body', /no organizations/);
      }
      assert.equal((await h.call('GET', '/roles?include_totals=true')).body.total, before.body.total);
    });
  });

  describe('the system API looks like Auth0’s Management API', () => {
    it('is named "Auth0 Management API", is_system, identifier <issuer>api/v2/, whatever name it was stored with', async () => {
      const system = await h.management.resourceServers.get(h.audience);
      assert.equal(system.name, 'Auth0 Management API');
      assert.equal(system.is_system, true);
      assert.equal(system.identifier, `${h.issuer}api/v2/`);
      // First runs store their own name; tools see Auth0's everywhere.
      const stored = await h.server.storage.resourceServers.findByIdentifier(h.tenantId, h.audience);
      assert.notEqual(stored?.name, 'Auth0 Management API');
      const listed = await h.call('GET', '/resource-servers?per_page=100');
      const named = listed.body.filter((api: { name: string }) => api.name === 'Auth0 Management API');
      assert.deepEqual(
        named.map((api: { identifier: string; is_system: boolean }) => [api.identifier, api.is_system]),
        [[h.audience, true]],
      );
    });

    it('keeps the name for the system API: no other API may take it', async () => {
      const identifier = newAudience('impostor');
      assertAuth0Error(
        await h.call('POST', '/resource-servers', { body: { identifier, name: 'Auth0 Management API' } }),
        400,
        'invalid_body',
        /reserved for the system API/,
      );
      assertAuth0Error(
        await h.call('GET', `/resource-servers/${encodeURIComponent(identifier)}`),
        404,
        'inexistent_resource_server',
      );
      const mine = await h.management.resourceServers.create({ identifier, name: 'Mine' });
      assertAuth0Error(
        await h.call('PATCH', `/resource-servers/${mine.id}`, { body: { name: 'Auth0 Management API' } }),
        400,
        'invalid_body',
        /reserved/,
      );
      assert.equal((await h.management.resourceServers.get(mine.id!)).name, 'Mine');
    });

    it('takes back the whole system API as read, changing only what Auth0 lets change', async () => {
      const system: Any = await h.management.resourceServers.get(h.audience);
      const back = await h.call('PATCH', `/resource-servers/${system.id}`, {
        body: { ...system, token_lifetime: 7200 },
      });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.deepEqual(back.body, { ...system, token_lifetime: 7200 });
      for (const body of [
        { ...system, name: 'Renamed' },
        { ...system, scopes: system.scopes.slice(1) },
        { ...system, enforce_policies: !system.enforce_policies },
      ]) {
        assertAuth0Error(
          await h.call('PATCH', `/resource-servers/${system.id}`, { body }),
          400,
          'invalid_body',
          /Additional properties not allowed: (name|scopes|enforce_policies)/,
        );
      }
      assertAuth0Error(
        await h.call('PATCH', `/resource-servers/${system.id}`, { body: { is_system: false } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: is_system/,
      );
      assert.deepEqual(await h.management.resourceServers.get(h.audience), {
        ...system,
        token_lifetime: 7200,
      });
    });
  });

  describe('round trips: what GET returns, PATCH accepts', () => {
    it('clients: created_at / updated_at are ignored, the identity must be the client’s own', async () => {
      const created = await h.management.clients.create({ name: 'Compat app', app_type: 'regular_web' });
      const read: Any = await h.management.clients.get(created.client_id!);
      assert.match(read.created_at, /^\d{4}-\d\d-\d\dT/);
      const back: Any = await h.management.clients.update(read.client_id, {
        ...read,
        description: 'Round trip',
      });
      const { updated_at: _u, ...rest } = back;
      const { updated_at: _r, ...expected } = read;
      assert.deepEqual(rest, { ...expected, description: 'Round trip' });
      assert.equal(back.created_at, read.created_at, 'a sent created_at changes nothing');

      // The deploy CLI's export carries the times into the POST of a new tenant's client: ignored too.
      const { client_id: _id, tenant: _t, global: _g, ...exported } = read;
      const copy: Any = await h.management.clients.create({
        ...exported,
        name: 'Compat copy',
        created_at: '2001-01-01T00:00:00.000Z',
      });
      assert.notEqual(copy.created_at, '2001-01-01T00:00:00.000Z');

      for (const [body, property] of [
        [{ client_id: copy.client_id }, 'client_id'],
        [{ tenant: 'someone-else' }, 'tenant'],
        [{ global: true }, 'global'],
      ] as const) {
        assertAuth0Error(
          await h.call('PATCH', `/clients/${read.client_id}`, { body }),
          400,
          'invalid_body',
          new RegExp(`Read-only property cannot be changed: ${property}`),
        );
      }
      assertAuth0Error(
        await h.call('PATCH', `/clients/${read.client_id}`, { body: { created_at: 'yesterday' } }),
        400,
        'invalid_body',
        /created_at/,
      );
      assertAuth0Error(
        await h.call('PATCH', `/clients/${read.client_id}`, { body: { client_secret_hash: 'x' } }),
        400,
        'invalid_body',
        /Additional properties not allowed: client_secret_hash/,
      );
      const again: Any = await h.management.clients.get(read.client_id);
      assert.equal(again.description, 'Round trip', 'refused writes changed nothing');
    });

    it('resource servers, roles and client grants come back whole', async () => {
      const api: Any = await h.management.resourceServers.create({
        identifier: newAudience('whole'),
        name: 'Whole',
        scopes: [{ value: 'read:whole', description: 'Read' }],
      });
      const readApi: Any = await h.management.resourceServers.get(api.id);
      assert.deepEqual(await h.management.resourceServers.update(api.id, readApi), readApi);
      assertAuth0Error(
        await h.call('PATCH', `/resource-servers/${api.id}`, { body: { identifier: newAudience() } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: identifier/,
      );

      const role: Any = await h.management.roles.create({ name: 'compat-whole', description: 'Whole' });
      const readRole: Any = await h.management.roles.get(role.id);
      assert.deepEqual(await h.management.roles.update(role.id, readRole), readRole);
      const other: Any = await h.management.roles.create({ name: 'compat-other' });
      assertAuth0Error(
        await h.call('PATCH', `/roles/${role.id}`, { body: { ...readRole, id: other.id } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: id/,
      );

      const app = await h.management.clients.create({ name: 'Grantee', app_type: 'non_interactive' });
      const grant: Any = await h.management.clientGrants.create({
        client_id: app.client_id!,
        audience: api.identifier,
        scope: [],
      });
      const readGrant: Any = await h.management.clientGrants.get(grant.id);
      const granted = await h.management.clientGrants.update(grant.id, {
        ...readGrant,
        scope: ['read:whole'],
      });
      assert.deepEqual(granted, { ...readGrant, scope: ['read:whole'] });
      assertAuth0Error(
        await h.call('PATCH', `/client-grants/${grant.id}`, { body: { ...readGrant, client_id: 'other' } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: client_id/,
      );
    });

    it('actions: the read action is accepted back, its state ignored, its secrets kept', async () => {
      const action: Any = await h.management.actions.create({
        name: 'compat-action',
        supported_triggers: POST_LOGIN,
        code: 'exports.onExecutePostLogin = async () => {};',
        secrets: [{ name: 'API_KEY', value: 'k-1' }],
      });
      await h.management.actions.deploy(action.id);
      const read: Any = await h.management.actions.get(action.id);
      assert.ok(read.deployed_version && read.secrets[0].updated_at, 'a deployed action with a secret');
      const back: Any = await h.management.actions.update(action.id, read);
      assert.equal(back.all_changes_deployed, true, 'sending it back changed nothing to deploy');
      assert.deepEqual(back.secrets, read.secrets);
      assert.deepEqual((await h.server.storage.actions.draft(h.tenantId, action.id))?.secrets, {
        API_KEY: 'k-1',
      });
      // Server-kept state is ignored whatever it says; the id must be the action's own.
      const ignored: Any = await h.management.actions.update(action.id, {
        ...read,
        status: 'pending',
        all_changes_deployed: false,
        deployed_version: { id: 'forged' },
        created_at: '2001-01-01T00:00:00.000Z',
      } as Any);
      assert.equal(ignored.deployed_version.id, read.deployed_version.id);
      assert.equal(ignored.created_at, read.created_at);
      assertAuth0Error(
        await h.call('PATCH', `/actions/actions/${action.id}`, {
          body: { id: '00000000-0000-4000-8000-000000000000' },
        }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: id/,
      );
    });

    it('forms and tenant settings come back whole', async () => {
      const form: Any = await h.management.forms.create({
        name: 'Compat form',
        languages: { primary: 'en' },
      });
      const read: Any = await h.management.forms.get(form.id);
      const back: Any = await h.management.forms.update(form.id, read);
      assert.deepEqual({ ...back, updated_at: read.updated_at }, read);
      assertAuth0Error(
        await h.call('PATCH', `/forms/${form.id}`, { body: { id: 'ap_0000000000000000000000' } }),
        400,
        'invalid_body',
        /Read-only property cannot be changed: id/,
      );

      const settings: Any = await h.management.tenants.settings.get();
      assert.deepEqual(await h.management.tenants.settings.update(settings), settings);
    });

    it('connections: the database connection as read is accepted back; a change is refused, nothing written', async () => {
      const [connection]: Any[] = (await h.management.connections.list({ strategy: ['auth0'] })).data;
      assert.ok(connection);
      const back = await h.call('PATCH', `/connections/${connection.id}`, { body: connection });
      assert.equal(back.status, 200, JSON.stringify(back.body));
      assert.deepEqual(back.body, connection);
      // What Auth0's deploy CLI sends for a database connection it imports unchanged.
      const { id: _i, name: _n, strategy: _s, enabled_clients: _e, ...sent } = connection;
      assert.deepEqual(await h.management.connections.update(connection.id, sent), connection);
      assertAuth0Error(
        await h.call('PATCH', `/connections/${connection.id}`, {
          body: { options: { ...connection.options, passwordPolicy: 'excellent' } },
        }),
        400,
        'invalid_body',
        /connections are read-only; 'options'/,
      );
      assertAuth0Error(
        await h.call('PATCH', '/connections/con_doesnotexist000', { body: {} }),
        404,
        'inexistent_connection',
      );
      assert.deepEqual(await h.management.connections.get(connection.id), connection);
    });
  });

  describe('unknown routes answer 404 whatever they carry', () => {
    const notFound = (response: Awaited<ReturnType<ManagementHarness['call']>>, path: string) =>
      assertAuth0Error(response, 404, 'not_found', new RegExp(`Not Found: \\w+ /api/v2${path}$`));

    it('with a JSON body, a malformed one, another media type or one over the size limit', async () => {
      notFound(await h.call('POST', '/no-such-thing', { body: { name: 'x' } }), '/no-such-thing');
      notFound(await h.call('PATCH', '/no-such-thing/abc', { raw: '{"name":' }), '/no-such-thing/abc');
      notFound(
        await h.call('PUT', '/no-such-thing', { raw: 'a=b', headers: { 'content-type': 'text/plain' } }),
        '/no-such-thing',
      );
      notFound(
        await h.call('POST', '/no-such-thing', { raw: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }) }),
        '/no-such-thing',
      );
      // A known path with a method it does not have is unknown too.
      notFound(await h.call('PUT', '/roles', { body: { name: 'x' } }), '/roles');
    });

    it('without a token or with a bad one (the route table is public: nothing is disclosed)', async () => {
      notFound(await h.call('GET', '/no-such-thing', { token: null }), '/no-such-thing');
      notFound(
        await h.call('POST', '/no-such-thing', { token: 'not.a.jwt', body: { a: 1 } }),
        '/no-such-thing',
      );
      // Known routes still authenticate first.
      assertAuth0Error(await h.call('GET', '/roles', { token: null }), 401, 'missing_authentication');
      assertAuth0Error(
        await h.call('POST', '/roles', { token: 'not.a.jwt', body: { name: 'x' } }),
        401,
        'invalid_token',
      );
    });
  });

  describe('action secrets named without a value', () => {
    it('creates the action with the secret empty, as the deploy CLI does in a new tenant', async () => {
      const action: Any = await h.management.actions.create({
        name: 'compat-secrets',
        supported_triggers: POST_LOGIN,
        code: 'exports.onExecutePostLogin = async () => {};',
        secrets: [{ name: 'API_KEY' }, { name: 'REGION', value: 'eu' }],
      });
      assert.deepEqual(
        action.secrets.map((s: { name: string }) => s.name),
        ['API_KEY', 'REGION'],
      );
      assert.deepEqual((await h.server.storage.actions.draft(h.tenantId, action.id))?.secrets, {
        API_KEY: '',
        REGION: 'eu',
      });
      // Later imports send the names again: values kept; a value sent sets it.
      await h.management.actions.update(action.id, {
        secrets: [{ name: 'API_KEY', value: 'k-2' }, { name: 'REGION' }],
      });
      await h.management.actions.update(action.id, { secrets: [{ name: 'API_KEY' }, { name: 'REGION' }] });
      assert.deepEqual((await h.server.storage.actions.draft(h.tenantId, action.id))?.secrets, {
        API_KEY: 'k-2',
        REGION: 'eu',
      });
      const noName = await failure(
        h.management.actions.create({
          name: 'compat-bad',
          supported_triggers: POST_LOGIN,
          secrets: [{ value: 'v' }],
        }),
      );
      assert.equal(noName.statusCode, 400);
      assert.match(String(noName.body.message), /Missing required property: name/);
    });
  });
});
