import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimCode, countRows, POST_LOGIN } from './actions-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

const SECRET_VALUE = 'sk_live_never_returned';

/** Auth0's `/actions/actions`: drafts, their secrets, deploy refusals, listing and deletion. */
describe('Management API actions', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const create = (name: string, extra: Record<string, unknown> = {}) =>
    h.management.actions.create({ name, supported_triggers: POST_LOGIN, code: claimCode(name), ...extra });
  const versionCount = async (id: string) =>
    (await h.call('GET', `/actions/actions/${id}/versions`)).body.total;

  it('creates a draft in Auth0’s shape, with secret names and change times but never their values', async () => {
    const before = Date.now();
    const action = await create('shape', {
      runtime: 'node18',
      secrets: [{ name: 'API_KEY', value: SECRET_VALUE }],
    });
    assert.deepEqual(Object.keys(action).sort(), [
      'all_changes_deployed',
      'code',
      'created_at',
      'dependencies',
      'id',
      'name',
      'runtime',
      'secrets',
      'status',
      'supported_triggers',
      'updated_at',
    ]);
    assert.match(action.id!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      [action.name, action.runtime, action.status, action.all_changes_deployed, action.dependencies],
      ['shape', 'node18', 'built', false, []],
    );
    assert.deepEqual(action.supported_triggers, POST_LOGIN);
    assert.deepEqual(Object.keys(action.secrets![0]!).sort(), ['name', 'updated_at']);
    assert.ok(Date.parse(action.secrets![0]!.updated_at!) >= before - 1000);
    const raw = await h.call('POST', '/actions/actions', {
      body: { name: 'shape-raw', supported_triggers: POST_LOGIN, code: claimCode('raw') },
    });
    assert.equal(raw.status, 201);
    const rawDeploy = await h.call('POST', `/actions/actions/${raw.body.id}/deploy`);
    assert.equal(rawDeploy.status, 202, 'Auth0 answers a deploy with 202');
    assert.equal(rawDeploy.body.number, 1);
    const rollback = await h.call(
      'POST',
      `/actions/actions/${raw.body.id}/versions/${rawDeploy.body.id}/deploy`,
    );
    assert.deepEqual([rollback.status, rollback.body.number], [202, 2]);
    const read = await h.call('GET', `/actions/actions/${action.id}`);
    const listed = await h.call('GET', '/actions/actions?actionName=shape');
    const deployed = await h.management.actions.deploy(action.id!);
    for (const body of [action, read.body, listed.body, deployed, await h.management.actions.get(action.id!)])
      assert.ok(!JSON.stringify(body).includes(SECRET_VALUE), 'a secret value never leaves the server');
  });

  it('defaults the trigger version and runtime, and creates and deploys at once with deploy: true', async () => {
    const action = await h.management.actions.create({
      name: 'deployed-at-once',
      supported_triggers: [{ id: 'post-login' }],
      code: claimCode('x'),
      deploy: true,
    });
    assert.deepEqual([action.runtime, action.supported_triggers], ['node22', POST_LOGIN]);
    assert.equal(action.deployed_version?.number, 1);
    assert.equal(action.all_changes_deployed, true);
    const refused = await h.call('POST', '/actions/actions', {
      body: { name: 'deployed-broken', supported_triggers: POST_LOGIN, code: 'exports.x = (', deploy: true },
    });
    assertAuth0Error(refused, 400, 'invalid_action_code', /SyntaxError/);
    assert.equal((await h.call('GET', '/actions/actions?actionName=deployed-broken')).body.total, 0);
  });

  it('refuses a duplicate name with 409, on create and on rename', async () => {
    await create('taken');
    const other = await create('free');
    const actions = await countRows(h, 'actions');
    assertAuth0Error(
      await h.call('POST', '/actions/actions', { body: { name: 'taken', supported_triggers: POST_LOGIN } }),
      409,
      'conflict',
      /already exists/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/actions/actions/${other.id}`, { body: { name: 'taken' } }),
      409,
      'conflict',
    );
    assert.equal(await countRows(h, 'actions'), actions);
    assert.equal((await h.management.actions.get(other.id!)).name, 'free');
  });

  it('refuses what Tessera cannot run (other triggers, npm dependencies, modules, unknown runtimes) and bad input, writing nothing', async () => {
    const actions = await countRows(h, 'actions');
    const body = (extra: Record<string, unknown>) => ({
      name: 'refused',
      supported_triggers: POST_LOGIN,
      ...extra,
    });
    const cases: Array<[unknown, string, RegExp]> = [
      [
        body({ supported_triggers: [{ id: 'credentials-exchange', version: 'v2' }] }),
        'invalid_body',
        /post-login/,
      ],
      [body({ supported_triggers: [{ id: 'post-login', version: 'v2' }] }), 'invalid_body', /v3/],
      [body({ supported_triggers: [] }), 'invalid_body', /supported_triggers/],
      [
        body({ dependencies: [{ name: 'lodash', version: '4.17.21' }] }),
        'invalid_body',
        /crypto, url, querystring, util/,
      ],
      [body({ modules: [{ module_id: 'm' }] }), 'invalid_body', /Modules/],
      [body({ runtime: 'node16' }), 'invalid_body', /node18, node22/],
      [body({ colour: 'blue' }), 'invalid_body', /Additional properties not allowed: colour/],
      [body({ code: 42 }), 'invalid_body', /Expected type string but found type integer' on property code/],
      [body({ secrets: [{ value: 'no name' }] }), 'invalid_body', /Missing required property: name/],
      [body({ secrets: [{ name: 'N', value: 7 }] }), 'invalid_body', /Expected type string/],
      [{ supported_triggers: POST_LOGIN }, 'invalid_body', /Missing required property: name/],
    ];
    for (const [payload, code, message] of cases)
      assertAuth0Error(await h.call('POST', '/actions/actions', { body: payload }), 400, code, message);
    assertAuth0Error(
      await h.call('POST', '/actions/actions', { raw: '{"name": "x",' }),
      400,
      'invalid_body',
      /JSON/,
    );
    assert.equal(await countRows(h, 'actions'), actions);
  });

  it('lists actions in pages, always wrapped with the total, filtered by name, trigger and deployment', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await create(name);
    await h.management.actions.deploy(
      (await h.management.actions.list({ actionName: 'page-b' })).data[0]!.id!,
    );
    const all = await h.call('GET', '/actions/actions?per_page=100');
    const total = all.body.total;
    assert.equal(all.body.actions.length, total);
    const first = await h.call('GET', '/actions/actions?page=0&per_page=2');
    const second = await h.call('GET', '/actions/actions?page=1&per_page=2');
    assert.deepEqual(Object.keys(first.body).sort(), ['actions', 'page', 'per_page', 'total']);
    assert.deepEqual([first.body.page, first.body.per_page, first.body.total], [0, 2, total]);
    assert.deepEqual(
      [...first.body.actions, ...second.body.actions].map((a: { id: string }) => a.id),
      all.body.actions.slice(0, 4).map((a: { id: string }) => a.id),
    );
    const names = (await h.management.actions.list({ per_page: 2 })).data.length;
    assert.equal(names, 2);
    let iterated = 0;
    for await (const _ of await h.management.actions.list({ per_page: 2 })) iterated++;
    assert.equal(iterated, total, 'the SDK pages through everything');
    const deployed = await h.call('GET', '/actions/actions?deployed=true&per_page=100');
    assert.ok(deployed.body.actions.every((a: { deployed_version?: unknown }) => a.deployed_version));
    assert.ok(deployed.body.actions.some((a: { name: string }) => a.name === 'page-b'));
    const undeployed = await h.call('GET', '/actions/actions?deployed=false&per_page=100');
    assert.equal(deployed.body.total + undeployed.body.total, total);
    assert.equal((await h.call('GET', '/actions/actions?triggerId=post-login')).body.total, total);
    assert.equal((await h.call('GET', '/actions/actions?triggerId=credentials-exchange')).body.total, 0);
    assert.equal((await h.call('GET', '/actions/actions?installed=true')).body.total, 0);
    assertAuth0Error(await h.call('GET', '/actions/actions?per_page=101'), 400, 'invalid_query_string');
    assertAuth0Error(await h.call('GET', '/actions/actions?sort=name'), 400, 'invalid_query_string');
  });

  it('changes only the draft on PATCH; a secret sent without a value keeps its value', async () => {
    const action = await create('patched', {
      secrets: [
        { name: 'KEEP', value: 'kept-value' },
        { name: 'DROP', value: 'x' },
      ],
    });
    const v1 = await h.management.actions.deploy(action.id!);
    const updated = await h.management.actions.update(action.id!, {
      name: 'patched-renamed',
      code: claimCode('new'),
      secrets: [{ name: 'KEEP' }, { name: 'NEW', value: 'new-value' }],
    });
    assert.deepEqual(
      [updated.name, updated.code, updated.secrets?.map((s) => s.name), updated.deployed_version?.id],
      ['patched-renamed', claimCode('new'), ['KEEP', 'NEW'], v1.id],
    );
    const kept = updated.secrets!.find((s) => s.name === 'KEEP')!;
    assert.equal(
      kept.updated_at,
      action.secrets!.find((s) => s.name === 'KEEP')!.updated_at,
      'unchanged secret',
    );
    assert.deepEqual((await h.server.storage.actions.draft(h.tenantId, action.id!))?.secrets, {
      KEEP: 'kept-value',
      NEW: 'new-value',
    });
    assert.equal((await h.management.actions.versions.get(action.id!, v1.id!)).code, claimCode('patched'));
    await h.management.actions.deploy(action.id!);
    const resent = [{ name: 'KEEP' }, { name: 'NEW', value: 'new-value' }];
    const same = await h.management.actions.update(action.id!, { secrets: resent });
    assert.equal(same.all_changes_deployed, true, 'sending the same secrets again changes nothing');
    const rotated = await h.management.actions.update(action.id!, {
      secrets: [{ name: 'KEEP', value: 'rotated' }],
    });
    assert.equal(rotated.all_changes_deployed, false, 'a new secret value is a change to deploy');
    // A new name without a value starts empty, as on create (deploy-compat.test.ts proves both).
    const added = await h.call('PATCH', `/actions/actions/${action.id}`, {
      body: { secrets: [{ name: 'KEEP' }, { name: 'UNKNOWN' }] },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual((await h.server.storage.actions.draft(h.tenantId, action.id!))?.secrets, {
      KEEP: 'rotated',
      UNKNOWN: '',
    });
    assertAuth0Error(
      await h.call('PATCH', '/actions/actions/00000000-0000-4000-8000-000000000000', { body: { code: 'x' } }),
      404,
      'inexistent_action',
    );
    assertAuth0Error(await h.call('GET', '/actions/actions/not-an-action'), 404, 'inexistent_action');
  });

  it('refuses to deploy code that cannot run, with the reason, creating no version', async () => {
    const action = await create('refusals');
    const refusals: Array<[string, RegExp]> = [
      [
        'exports.onExecutePostLogin = async (event, api) => {\n  const x = ;\n};',
        /SyntaxError.*\(line 2, column 13\)/,
      ],
      ['exports.somethingElse = async () => {};', /must export onExecutePostLogin/],
      [
        `const fs = require('fs');\nexports.onExecutePostLogin = async () => {};`,
        /module "fs" is not available.*\(line 1, column 20\)/,
      ],
      [
        `exports.onExecutePostLogin = async () => {};\n//${'x'.repeat(100 * 1024)}`,
        /may not exceed 102400 bytes/,
      ],
    ];
    for (const [code, reason] of refusals) {
      await h.management.actions.update(action.id!, { code });
      assertAuth0Error(
        await h.call('POST', `/actions/actions/${action.id}/deploy`),
        400,
        'invalid_action_code',
        reason,
      );
      assert.equal(await versionCount(action.id!), 0, 'no version');
    }
    const tooMany = Array.from({ length: 31 }, (_, i) => ({ name: `S${i}`, value: 'v' }));
    assertAuth0Error(
      await h.call('PATCH', `/actions/actions/${action.id}`, { body: { secrets: tooMany } }),
      400,
      'invalid_body',
      /at most 30 secrets/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/actions/actions/${action.id}`, {
        body: { secrets: [{ name: 'BIG', value: 'x'.repeat(4097) }] },
      }),
      400,
      'invalid_body',
      /at most 4096 characters/,
    );
    assert.deepEqual((await h.management.actions.get(action.id!)).secrets, []);
    assert.equal((await h.call('GET', `/actions/actions/${action.id}`)).body.deployed_version, undefined);
    assertAuth0Error(
      await h.call('POST', '/actions/actions/00000000-0000-4000-8000-000000000000/deploy'),
      404,
      'inexistent_action',
    );
  });

  it('lists versions newest first in pages, and 404s versions of other actions', async () => {
    const action = await create('many-versions');
    const other = await create('other-versions');
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) {
      await h.management.actions.update(action.id!, { code: claimCode(`v${n}`) });
      ids.push((await h.management.actions.deploy(action.id!)).id!);
    }
    const page = await h.call('GET', `/actions/actions/${action.id}/versions?page=1&per_page=2`);
    assert.deepEqual(
      [
        page.body.total,
        page.body.page,
        page.body.per_page,
        page.body.versions.map((v: { number: number }) => v.number),
      ],
      [5, 1, 2, [3, 2]],
    );
    const all = await h.management.actions.versions.list(action.id!, { per_page: 2 });
    let numbers: number[] = [];
    for await (const version of all) numbers = [...numbers, version.number!];
    assert.deepEqual(numbers, [5, 4, 3, 2, 1]);
    assertAuth0Error(
      await h.call('GET', `/actions/actions/${other.id}/versions/${ids[0]}`),
      404,
      'inexistent_action_version',
    );
    assertAuth0Error(
      await h.call('POST', `/actions/actions/${other.id}/versions/${ids[0]}/deploy`),
      404,
      'inexistent_action_version',
    );
    assertAuth0Error(
      await h.call('GET', '/actions/actions/00000000-0000-4000-8000-000000000000/versions'),
      404,
      'inexistent_action',
    );
    assert.equal(await versionCount(other.id!), 0);
  });

  it('numbers concurrent deploys of one action 1, 2, 3… with exactly one deployed', async () => {
    const action = await create('deployed-concurrently');
    // Through the API, and straight through the repository as `tessera actions deploy` does (no
    // sandbox check in between to stagger them).
    const versions = await Promise.all([
      ...Array.from({ length: 3 }, () => h.management.actions.deploy(action.id!)),
      ...Array.from({ length: 3 }, () => h.server.storage.actions.deploy(h.tenantId, action.id!)),
    ]);
    assert.deepEqual(versions.map((v) => v.number).sort(), [1, 2, 3, 4, 5, 6]);
    const listed = await h.call('GET', `/actions/actions/${action.id}/versions`);
    assert.deepEqual(
      listed.body.versions.map((v: { number: number; deployed: boolean }) => [v.number, v.deployed]),
      [6, 5, 4, 3, 2, 1].map((n) => [n, n === 6]),
    );
    assert.equal((await h.management.actions.get(action.id!)).deployed_version?.number, 6);
  });

  it('answers edits and deploys racing a delete of the same action with 404, never 500', async () => {
    for (let round = 0; round < 10; round++) {
      const action = await create(`doomed-${round}`);
      const [update, deploy, removal] = await Promise.all([
        h.call('PATCH', `/actions/actions/${action.id}`, { body: { name: `doomed-${round}-renamed` } }),
        // Straight through the repository, as `tessera actions deploy` does: no sandbox check to stagger it.
        h.server.storage.actions.deploy(h.tenantId, action.id!).then(
          () => 'deployed',
          (error: Error) => error.constructor.name,
        ),
        h.call('DELETE', `/actions/actions/${action.id}`),
      ]);
      assert.equal(removal.status, 204);
      if (update.status !== 200) assertAuth0Error(update, 404, 'inexistent_action');
      assert.ok(
        ['deployed', 'NotFoundError'].includes(deploy),
        `round ${round}: deploy failed with ${deploy}`,
      );
      assertAuth0Error(await h.call('GET', `/actions/actions/${action.id}`), 404, 'inexistent_action');
      const [left] = await h.server.storage.db.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM action_versions WHERE action_id = $1',
        [action.id],
      );
      assert.equal(left!.n, 0, 'no version outlives its action');
    }
  });

  it('refuses to delete a bound action (409) unless forced, which unbinds it', async () => {
    const action = await create('bound-then-deleted');
    const kept = await create('stays-bound');
    await h.management.actions.deploy(action.id!);
    await h.management.actions.deploy(kept.id!);
    await h.management.actions.triggers.bindings.updateMany('post-login', {
      bindings: [
        { ref: { type: 'action_id', value: action.id! } },
        { ref: { type: 'action_id', value: kept.id! } },
      ],
    });
    assertAuth0Error(
      await h.call('DELETE', `/actions/actions/${action.id}`),
      409,
      'conflict',
      /Unable to delete an action bound to a trigger/,
    );
    assert.equal((await h.management.actions.get(action.id!)).id, action.id);
    assert.equal(await versionCount(action.id!), 1);
    await h.management.actions.delete(action.id!, { force: true });
    assertAuth0Error(await h.call('GET', `/actions/actions/${action.id}`), 404, 'inexistent_action');
    const bindings = await h.call('GET', '/actions/triggers/post-login/bindings');
    assert.deepEqual(
      bindings.body.bindings.map((b: { action: { id: string } }) => b.action.id),
      [kept.id],
    );
    const unbound = await create('never-bound');
    const response = await h.call('DELETE', `/actions/actions/${unbound.id}`);
    assert.equal(response.status, 204);
    assertAuth0Error(await h.call('DELETE', `/actions/actions/${unbound.id}`), 404, 'inexistent_action');
    await h.management.actions.triggers.bindings.updateMany('post-login', { bindings: [] });
  });

  it('answers 403 insufficient_scope without the scope each operation needs, changing nothing', async () => {
    const action = await create('guarded');
    const readOnly = await h.tokenWith(['read:actions']);
    const none = await h.tokenWith(['read:users']);
    const actions = await countRows(h, 'actions');
    const calls: Array<[string, string, unknown, string]> = [
      ['POST', '/actions/actions', { name: 'sneaky', supported_triggers: POST_LOGIN }, readOnly],
      ['PATCH', `/actions/actions/${action.id}`, { code: 'changed' }, readOnly],
      ['DELETE', `/actions/actions/${action.id}`, undefined, readOnly],
      ['POST', `/actions/actions/${action.id}/deploy`, undefined, readOnly],
      ['POST', `/actions/actions/${action.id}/test`, { payload: {} }, readOnly],
      ['GET', '/actions/actions', undefined, none],
      ['GET', `/actions/actions/${action.id}`, undefined, none],
      ['GET', `/actions/actions/${action.id}/versions`, undefined, none],
    ];
    for (const [method, path, body, token] of calls)
      assertAuth0Error(await h.call(method, path, { body, token }), 403, 'insufficient_scope');
    assert.equal(await countRows(h, 'actions'), actions);
    assert.equal((await h.management.actions.get(action.id!)).code, claimCode('guarded'));
    assert.equal(await versionCount(action.id!), 0);
    assert.equal(
      (await h.call('GET', '/actions/actions?actionName=guarded', { token: readOnly })).status,
      200,
    );
  });
});
