import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { parse, stringify } from 'yaml';
import { Browser, discover, loginWithCode, REDIRECT_URI } from '../oidc/helpers.ts';
import {
  type Certificate,
  type DeployTarget,
  deployCli,
  deployCliOk,
  localhostCertificate,
  startDeployTarget,
} from './deploy-cli.ts';

/**
 * Auth0's deploy CLI (`a0deploy` 8.44.0, unmodified, in a child process over https) moves a tenant
 * between Tessera servers: export → edit → import into the same tenant → export again, and the
 * export imported into a fresh Tessera reproduces the tenant, in YAML and in directory format, with
 * no resource type Tessera supports excluded (docs/management-api.md#move-a-tenant-with-auth0-deploy-cli).
 */

const ORDERS = 'https://orders.example.com/';
const GREETING = 'hello from the source tenant';
// The action proves its code, its secret and its binding all arrived: it runs on every login.
const ACTION_CODE = `const { createHash } = require('crypto');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/greeting', event.secrets.GREETING);
  api.idToken.setCustomClaim('https://example.com/digest', createHash('sha256').update(event.user.email).digest('hex').slice(0, 8));
};
`;
const SIGNUP_FORM = {
  name: 'Sign-up details',
  languages: { primary: 'en' },
  start: { next_node: 'step_details', coordinates: { x: 0, y: 0 } },
  nodes: [
    {
      id: 'step_details',
      type: 'STEP',
      coordinates: { x: 300, y: 0 },
      config: {
        components: [{ id: 'full_name', category: 'FIELD', type: 'TEXT', required: true, config: {} }],
        next_node: '$ending',
      },
    },
  ],
  ending: { resume_flow: true },
};

/** The tenant a customer would move: every kind of object the tool manages and Tessera supports. */
async function seed(t: DeployTarget): Promise<void> {
  const m = t.management;
  await m.resourceServers.create({
    identifier: ORDERS,
    name: 'Orders',
    enforce_policies: true,
    token_dialect: 'access_token_authz',
    token_lifetime: 7200,
    scopes: [
      { value: 'read:orders', description: 'Read orders' },
      { value: 'write:orders', description: 'Write orders' },
    ],
  });
  await m.clients.create({
    name: 'Storefront',
    description: 'The shop',
    app_type: 'spa',
    callbacks: ['https://shop.example.com/callback'],
    allowed_logout_urls: ['https://shop.example.com/'],
    web_origins: ['https://shop.example.com'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  });
  await m.clients.create({
    name: 'Back office',
    description: 'Staff tools',
    app_type: 'regular_web',
    callbacks: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  });
  const worker = await m.clients.create({
    name: 'Orders worker',
    app_type: 'non_interactive',
    grant_types: ['client_credentials'],
  });
  await m.clientGrants.create({ client_id: worker.client_id!, audience: ORDERS, scope: ['read:orders'] });
  const clerk = await m.roles.create({ name: 'clerk', description: 'Reads orders' });
  await m.roles.permissions.add(clerk.id!, {
    permissions: [{ resource_server_identifier: ORDERS, permission_name: 'read:orders' }],
  });
  const manager = await m.roles.create({ name: 'manager', description: 'Runs the shop' });
  await m.roles.permissions.add(manager.id!, {
    permissions: ['read:orders', 'write:orders'].map((permission_name) => ({
      resource_server_identifier: ORDERS,
      permission_name,
    })),
  });
  const action = await m.actions.create({
    name: 'greet',
    supported_triggers: [{ id: 'post-login', version: 'v3' }],
    runtime: 'node22',
    code: ACTION_CODE,
    secrets: [{ name: 'GREETING', value: GREETING }],
  });
  await m.actions.deploy(action.id!);
  await m.actions.triggers.bindings.updateMany('post-login', {
    bindings: [{ ref: { type: 'action_id', value: action.id! }, display_name: 'Greet' }],
  });
  await m.tenants.settings.update({
    friendly_name: 'Acme',
    session_lifetime: 24,
    idle_session_lifetime: 8,
    default_audience: ORDERS,
  });
  await m.forms.create(SIGNUP_FORM as never);
}

// biome-ignore lint/suspicious/noExplicitAny: the snapshot compares arbitrary Management API JSON
type Json = any;

/**
 * The tenant as the Management API shows it, without what a move cannot keep (ids, times, secrets)
 * and with the tenant's own domain written as DOMAIN: two tenants holding the same configuration
 * have equal snapshots.
 */
async function snapshot(t: DeployTarget): Promise<Record<string, Json>> {
  const get = async (path: string) => {
    const response = await t.call('GET', path);
    assert.equal(response.status, 200, `GET ${path}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const clients: Json[] = await get('/clients?per_page=100');
  const nameOf = new Map(clients.map((c) => [c.client_id, c.name]));
  const actions: Json[] = (await get('/actions/actions?per_page=100')).actions;
  const actionName = new Map(actions.map((a) => [a.id, a.name]));
  const roles = await Promise.all(
    ((await get('/roles?per_page=100')) as Json[]).map(async ({ id, ...role }) => ({
      ...role,
      permissions: sortBy(await get(`/roles/${id}/permissions?per_page=100`), 'permission_name'),
    })),
  );
  const forms = await Promise.all(
    ((await get('/forms?per_page=100')) as Json[]).map(({ id }) => get(`/forms/${id}`)),
  );
  const state = {
    clients: sortBy(clients.map(withoutVolatile), 'name'),
    clientGrants: sortBy(
      ((await get('/client-grants?per_page=100')) as Json[]).map(({ id, client_id, ...grant }) => ({
        ...grant,
        client: nameOf.get(client_id),
      })),
      'client',
    ),
    resourceServers: sortBy(
      ((await get('/resource-servers?per_page=100')) as Json[]).map(withoutVolatile),
      'name',
    ),
    roles: sortBy(roles, 'name'),
    actions: sortBy(
      actions.map(({ id, deployed_version, secrets, ...action }) => ({
        ...withoutVolatile(action),
        deployed: deployed_version?.deployed === true,
        secrets: (secrets as Json[]).map((secret) => secret.name).sort(),
      })),
      'name',
    ),
    bindings: ((await get('/actions/triggers/post-login/bindings')).bindings as Json[]).map((binding) => ({
      display_name: binding.display_name,
      action: actionName.get(binding.action.id),
    })),
    tenant: await get('/tenants/settings'),
    connections: ((await get('/connections')) as Json[]).map(({ id, enabled_clients, ...connection }) => ({
      ...connection,
      enabled_clients: (enabled_clients as string[]).map((clientId) => nameOf.get(clientId)).sort(),
    })),
    forms: sortBy(forms.map(withoutVolatile), 'name'),
  };
  return JSON.parse(JSON.stringify(state).replaceAll(t.domain, 'DOMAIN'));
}

const VOLATILE = new Set(['id', 'client_id', 'client_secret', 'created_at', 'updated_at']);
const withoutVolatile = (object: Json): Json =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !VOLATILE.has(key)));
const sortBy = (list: Json[], key: string): Json[] =>
  [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

/** Every file of a directory-format export, by relative path (JSON parsed), times left out. */
async function readTree(dir: string): Promise<Record<string, Json>> {
  const files: Record<string, Json> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    files[relative(dir, path)] = path.endsWith('.json') ? stripTimes(JSON.parse(text)) : text;
  }
  return files;
}
/** An export without clients' times (they differ between tenants and are not configuration). */
const stripTimes = (value: Json): Json =>
  JSON.parse(
    JSON.stringify(value, (key, v) => (key === 'created_at' || key === 'updated_at' ? undefined : v)),
  );

/**
 * A manager logs in to the Back office app (its secret rotated: a move never carries secrets) through
 * the real pages, asking for the Orders API: the claims of both tokens.
 */
async function managerLogin(t: DeployTarget): Promise<{ idToken: Json; accessToken: Json }> {
  const m = t.management;
  const backOffice = (await m.clients.list({ per_page: 100 })).data.find((c) => c.name === 'Back office')!;
  const { client_secret: secret } = await m.clients.rotateSecret(backOffice.client_id!);
  const credentials = { username: 'ada@example.com', password: 'ada has a long password' };
  const user = await m.users.create({
    connection: 'Username-Password-Authentication',
    email: credentials.username,
    password: credentials.password,
  });
  const manager = (await m.roles.list({ name_filter: 'manager' })).data[0]!;
  await m.roles.users.assign(manager.id!, { users: [user.user_id!] });
  const server = { ...t.server, issuer: t.issuer, tenantId: t.tenantId };
  const config = await discover(server, backOffice.client_id!, secret!);
  const tokens = await loginWithCode(server, config, new Browser(t.issuer), credentials, {
    audience: ORDERS,
    scope: 'openid email read:orders write:orders',
  });
  return { idToken: decodeJwt(tokens.id_token!), accessToken: decodeJwt(tokens.access_token) };
}

/** `resourceServers[].scopes` in Tessera's order (by value). */
const withSortedScopes = (state: Json): Json => ({
  ...state,
  resourceServers: state.resourceServers.map((api: Json) => ({
    ...api,
    scopes: sortBy(api.scopes, 'value'),
  })),
});

const byName = (list: Json[] | undefined, name: string) => list?.find((item) => item.name === name);

describe('auth0-deploy-cli moves a tenant between Tessera servers', { timeout: 600_000 }, () => {
  let cert: Certificate;
  let source: DeployTarget;
  const targets: DeployTarget[] = [];
  const fresh = async () => {
    const target = await startDeployTarget(cert);
    targets.push(target);
    return target;
  };

  before(async () => {
    cert = await localhostCertificate();
    source = await fresh();
    await seed(source);
  });
  after(async () => {
    await Promise.all(targets.map((target) => target.stop()));
    await cert?.remove();
  });

  const exportYaml = async (t: DeployTarget, name: string) => {
    const folder = join(cert.dir, name);
    await deployCliOk(t, cert, ['export', '--format', 'yaml', '--output_folder', folder]);
    return {
      folder,
      file: join(folder, 'tenant.yaml'),
      tenant: parse(await readFile(join(folder, 'tenant.yaml'), 'utf8')),
    };
  };

  let edited: Json;
  let editedFolder: string;

  it('exports the tenant as YAML: every object, never a secret value nor the Management API itself', async () => {
    const { folder, tenant } = await exportYaml(source, 'export-1');
    const text = await readFile(join(folder, 'tenant.yaml'), 'utf8');
    assert.ok(!text.includes(GREETING), 'no secret value in the export');

    assert.deepEqual((tenant.clients as Json[]).map((c) => c.name).sort(), [
      'Back office',
      'Orders worker',
      'Storefront',
      'Tessera Management API (first run)',
    ]);
    assert.equal(byName(tenant.clients, 'Storefront').app_type, 'spa');
    assert.deepEqual(byName(tenant.clients, 'Storefront').callbacks, ['https://shop.example.com/callback']);
    assert.equal(byName(tenant.clients, 'Back office').app_type, 'regular_web');
    assert.equal(byName(tenant.clients, 'Orders worker').app_type, 'non_interactive');

    assert.deepEqual(
      (tenant.resourceServers as Json[]).map((r) => r.identifier),
      [ORDERS],
      'the system API (the Management API) is left out, as Auth0 tenants export',
    );
    const orders = tenant.resourceServers[0];
    assert.equal(orders.enforce_policies, true);
    assert.deepEqual(
      orders.scopes.map((s: Json) => s.value),
      ['read:orders', 'write:orders'],
    );
    assert.deepEqual(tenant.clientGrants, [
      { client_id: 'Orders worker', audience: ORDERS, scope: ['read:orders'] },
    ]);
    assert.deepEqual(
      (tenant.roles as Json[]).map((r) => [r.name, r.permissions.map((p: Json) => p.permission_name).sort()]),
      [
        ['clerk', ['read:orders']],
        ['manager', ['read:orders', 'write:orders']],
      ],
    );
    const greet = byName(tenant.actions, 'greet');
    assert.deepEqual(greet.secrets, [{ name: 'GREETING' }]);
    assert.equal(greet.deployed, true);
    assert.equal(await readFile(join(folder, greet.code), 'utf8'), ACTION_CODE);
    assert.deepEqual(tenant.triggers['post-login'], [{ action_name: 'greet', display_name: 'Greet' }]);
    assert.equal(tenant.tenant.friendly_name, 'Acme');
    assert.equal(tenant.tenant.session_lifetime, 24);
    assert.equal(tenant.tenant.idle_session_lifetime, 8);
    assert.equal(tenant.tenant.default_audience, ORDERS);
    assert.deepEqual(
      (tenant.forms as Json[]).map((f) => f.name),
      ['Sign-up details'],
    );

    // The edit a change request makes: an app's description, a new scope of the API.
    byName(tenant.clients, 'Back office').description = 'Staff tools, now with refunds';
    orders.scopes.push({ value: 'refund:orders', description: 'Refund orders' });
    edited = tenant;
    editedFolder = folder;
    await writeFile(join(folder, 'tenant.yaml'), stringify(tenant));
  });

  it('imports the edited YAML into the same tenant: the edit arrives, nothing else changes', async () => {
    assert.ok(edited, 'the export test ran');
    const before = await snapshot(source);
    await deployCliOk(source, cert, ['import', '--input_file', join(editedFolder, 'tenant.yaml')]);
    const after = await snapshot(source);

    const backOffice = await source.management.clients.list({ per_page: 100 });
    assert.equal(
      backOffice.data.find((c) => c.name === 'Back office')?.description,
      'Staff tools, now with refunds',
    );
    const orders = await source.management.resourceServers.get(ORDERS);
    // Tessera lists an API's scopes by value (Auth0 keeps the order they were sent in).
    assert.deepEqual(
      orders.scopes?.map((s) => s.value),
      ['read:orders', 'refund:orders', 'write:orders'],
    );
    // Everything else is as it was: the import of an unchanged object changes nothing.
    const expected = structuredClone(before);
    byName(expected.clients, 'Back office').description = 'Staff tools, now with refunds';
    byName(expected.resourceServers, 'Orders').scopes.push({
      value: 'refund:orders',
      description: 'Refund orders',
    });
    assert.deepEqual(after, withSortedScopes(expected));

    // The secret the file names without a value keeps its value (the last test logs in to see it):
    // the claim still comes from it (a test run shows a secret's value only by reference).
    const greet = (await source.call('GET', '/actions/actions')).body.actions.find(
      (a: Json) => a.name === 'greet',
    );
    const test = await source.call('POST', `/actions/actions/${greet.id}/test`, {
      body: { payload: { user: { email: 'ada@example.com' } } },
    });
    assert.equal(test.status, 200, JSON.stringify(test.body));
    const claim = test.body.payload.commands.find((c: Json) => c.key === 'https://example.com/greeting');
    assert.deepEqual(claim.secretRef, { actionId: 'test', name: 'GREETING' }, JSON.stringify(test.body));

    // And an export now shows the edited tenant.
    const again = await exportYaml(source, 'export-2');
    assert.deepEqual(stripTimes(again.tenant), withSortedScopes(stripTimes(edited)));
  });

  // The two moves into fresh servers are independent, and an import spends most of its time compiling
  // the tool's own schema (CPU in the child): they run side by side.
  describe('into fresh servers', { concurrency: true }, () => {
    it('imports the YAML into a fresh Tessera: the same tenant, and logins run its action', async () => {
      assert.ok(edited, 'the export test ran');
      const target = await fresh();
      // What a pipeline does with secrets: the file names the keyword, the pipeline's config maps it.
      byName(edited.actions, 'greet').secrets = [{ name: 'GREETING', value: '##GREETING##' }];
      await writeFile(join(editedFolder, 'fresh.yaml'), stringify(edited));
      await deployCliOk(target, cert, ['import', '--input_file', join(editedFolder, 'fresh.yaml')], {
        config: { AUTH0_KEYWORD_REPLACE_MAPPINGS: { GREETING: 'hello from the new tenant' } },
      });
      assert.deepEqual(await snapshot(target), await snapshot(source));
      const [one, two] = await Promise.all([exportYaml(source, 'export-3'), exportYaml(target, 'export-4')]);
      assert.deepEqual(
        stripTimes(two.tenant),
        stripTimes(one.tenant),
        'an export of either is the same file',
      );

      // A user of the moved tenant logs in to the moved app: the action runs with the mapped secret,
      // and the moved role's permissions reach the moved API's token.
      const { idToken, accessToken } = await managerLogin(target);
      assert.equal(idToken['https://example.com/greeting'], 'hello from the new tenant');
      assert.match(String(idToken['https://example.com/digest']), /^[0-9a-f]{8}$/);
      assert.deepEqual(accessToken.permissions, ['read:orders', 'write:orders']);
    });

    it('moves the tenant in directory format, deleting with AUTH0_ALLOW_DELETE only what the files lack', async () => {
      const target = await fresh();
      // What the target held before: objects the files do not have (deleted), and what the tool
      // never deletes (its own client and grant, the Management API, the database connection, users).
      const m = target.management;
      const legacyApi = await m.resourceServers.create({
        identifier: 'https://legacy.example.com/',
        name: 'Legacy',
        scopes: [{ value: 'read:legacy' }],
      });
      const legacyApp = await m.clients.create({ name: 'Legacy app', app_type: 'non_interactive' });
      await m.clientGrants.create({
        client_id: legacyApp.client_id!,
        audience: legacyApi.identifier!,
        scope: [],
      });
      await m.roles.create({ name: 'legacy-role' });
      const legacyAction = await m.actions.create({
        name: 'legacy-action',
        supported_triggers: [{ id: 'post-login', version: 'v3' }],
        code: 'exports.onExecutePostLogin = async () => {};',
      });
      await m.actions.deploy(legacyAction.id!);
      await m.actions.triggers.bindings.updateMany('post-login', {
        bindings: [{ ref: { type: 'action_id', value: legacyAction.id! } }],
      });
      await m.forms.create({ name: 'Legacy form' } as never);
      const keptUser = await m.users.create({
        connection: 'Username-Password-Authentication',
        email: 'grace@example.com',
        password: 'grace has a good password',
      });
      const untouched = {
        systemApi: (await target.call('GET', `/resource-servers/${encodeURIComponent(target.audience)}`))
          .body,
        deployClient: (await target.call('GET', `/clients/${target.clientId}`)).body,
        deployGrants: (await target.call('GET', `/client-grants?client_id=${target.clientId}`)).body,
        connections: (await target.call('GET', '/connections')).body,
      };

      const folder = join(cert.dir, 'directory-1');
      await deployCliOk(source, cert, ['export', '--format', 'directory', '--output_folder', folder]);
      const exported = await readTree(folder);
      assert.ok(!JSON.stringify(exported).includes(GREETING), 'no secret value in the export');
      const greetFile = Object.keys(exported).find((path) => /^actions\/greet\.json$/.test(path));
      assert.ok(greetFile, `the action is exported: ${Object.keys(exported).join(', ')}`);
      assert.deepEqual(exported[greetFile].secrets, [{ name: 'GREETING' }]);
      await writeFile(
        join(folder, greetFile),
        JSON.stringify({ ...exported[greetFile], secrets: [{ name: 'GREETING', value: '##GREETING##' }] }),
      );

      await deployCliOk(target, cert, ['import', '--input_file', folder], {
        config: { AUTH0_ALLOW_DELETE: true, AUTH0_KEYWORD_REPLACE_MAPPINGS: { GREETING: 'from a folder' } },
      });
      assert.deepEqual(await snapshot(target), await snapshot(source));
      assert.deepEqual(
        {
          systemApi: (await target.call('GET', `/resource-servers/${encodeURIComponent(target.audience)}`))
            .body,
          deployClient: (await target.call('GET', `/clients/${target.clientId}`)).body,
          deployGrants: (await target.call('GET', `/client-grants?client_id=${target.clientId}`)).body,
          connections: (await target.call('GET', '/connections')).body,
        },
        untouched,
      );
      assert.equal((await target.call('GET', `/users/${encodeURIComponent(keptUser.user_id!)}`)).status, 200);

      // Exporting the target in directory format gives the files it was built from.
      const again = join(cert.dir, 'directory-2');
      await deployCliOk(target, cert, ['export', '--format', 'directory', '--output_folder', again]);
      assert.deepEqual(await readTree(again), { ...exported, [greetFile]: exported[greetFile] });
    });
  });

  it('leaves the source tenant logging in with its own secret after the re-import', async () => {
    assert.ok(edited, 'the export test ran');
    const { idToken } = await managerLogin(source);
    assert.equal(idToken['https://example.com/greeting'], GREETING);
  });

  it('stops, saying why, when the client secret it is given is wrong', async () => {
    const run = await deployCli({ ...source, clientSecret: 'not the secret' }, cert, [
      'export',
      '--format',
      'yaml',
      '--output_folder',
      join(cert.dir, 'refused'),
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /client authentication failed/, run.output);
  });
});
