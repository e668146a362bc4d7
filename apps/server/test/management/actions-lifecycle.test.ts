import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lastExecution } from '../actions-flow/helpers.ts';
import { claimCode, countRows, type LoginHarness, POST_LOGIN, startWithLogin } from './actions-helpers.ts';

const CLAIM = 'https://example.com/version';

/** A test run's report (Tessera's fields on Auth0's free-form payload). */
interface TestReport {
  outcome: string;
  logs: string;
  commands: Array<{ type: string; key?: string; value?: unknown }>;
  error?: { id: string; msg: string };
}
const report = (response: { payload?: Record<string, unknown> }) => {
  assert.ok(response.payload, 'a test answers with a payload');
  return response.payload as unknown as TestReport;
};

/** What an execution record keeps per action (Auth0's fields and Tessera's). */
interface ExecutionResult {
  action_name: string;
  error: unknown;
  started_at: string;
  ended_at: string;
  version_id: string;
  logs: Array<{ message: string }>;
  commands: Array<{ type: string }>;
}

/**
 * The action lifecycle as an Auth0 tenant runs it, through the official auth0 SDK only: a draft is
 * written, tried, deployed, bound, and real logins through the real pages run exactly the deployed
 * version, whatever happens to the draft, until the next deploy or roll back.
 */
describe('the action lifecycle through the Management API', () => {
  let h: LoginHarness;
  before(async () => {
    h = await startWithLogin();
  });
  after(() => h?.stop());

  it('create → test → deploy → bind → logins run v1; draft edits change nothing until v2 is deployed; roll back brings v1 back', async () => {
    const actions = h.management.actions;
    const created = await actions.create({
      name: 'versioned-claim',
      supported_triggers: POST_LOGIN,
      code: claimCode('v1'),
      runtime: 'node22',
      secrets: [{ name: 'API_KEY', value: 'sk_lifecycle_secret' }],
    });
    assert.equal(created.all_changes_deployed, false);
    assert.equal(created.deployed_version, undefined);

    const tried = await actions.test(created.id!, { payload: { user: { email: 'someone@example.com' } } });
    assert.equal(report(tried).outcome, 'completed');
    assert.deepEqual(
      report(tried).commands.map((c) => [c.type, c.key, c.value]),
      [['idToken.setCustomClaim', CLAIM, 'v1']],
    );

    const v1 = await actions.deploy(created.id!);
    assert.equal(v1.number, 1);
    assert.equal(v1.deployed, true);
    assert.equal(v1.code, claimCode('v1'));
    assert.equal(v1.action?.id, created.id);
    assert.deepEqual(
      v1.secrets?.map((s) => s.name),
      ['API_KEY'],
    );

    const bound = await actions.triggers.bindings.updateMany('post-login', {
      bindings: [{ ref: { type: 'action_id', value: created.id! }, display_name: 'Versioned claim' }],
    });
    assert.deepEqual(
      bound.bindings?.map((b) => [b.display_name, b.action?.id]),
      [['Versioned claim', created.id]],
    );
    assert.equal((await h.login())[CLAIM], 'v1', 'a real login runs the deployed version');

    const edited = await actions.update(created.id!, { code: claimCode('v2') });
    assert.equal(edited.code, claimCode('v2'));
    assert.equal(edited.all_changes_deployed, false);
    assert.equal(edited.deployed_version?.id, v1.id);
    assert.equal((await h.login())[CLAIM], 'v1', 'an edited draft is not what logins run');

    const v2 = await actions.deploy(created.id!);
    assert.equal(v2.number, 2);
    assert.equal((await actions.get(created.id!)).all_changes_deployed, true);
    assert.equal((await h.login())[CLAIM], 'v2', 'the new deploy runs at the next login');

    const rolledBack = await actions.versions.deploy(created.id!, v1.id!);
    assert.equal(rolledBack.number, 3, 'a roll back is a new version');
    assert.equal(rolledBack.code, claimCode('v1'), 'identical to the version rolled back to');
    assert.equal(rolledBack.deployed, true);
    assert.equal((await h.login())[CLAIM], 'v1', 'the next login runs v1 again');

    const versions = await actions.versions.list(created.id!);
    assert.deepEqual(
      versions.data.map((v) => [v.number, v.deployed, v.code]),
      [
        [3, true, claimCode('v1')],
        [2, false, claimCode('v2')],
        [1, false, claimCode('v1')],
      ],
    );
    const action = await actions.get(created.id!);
    assert.equal(action.code, claimCode('v2'), 'without update_draft the draft stays as it was');
    assert.equal(action.deployed_version?.id, rolledBack.id);
    const old = await actions.versions.get(created.id!, v1.id!);
    assert.equal(old.deployed, false);
    assert.ok(!JSON.stringify([versions.data, action, old]).includes('sk_lifecycle_secret'));
  });

  it('rolls the draft back too when asked (update_draft)', async () => {
    const actions = h.management.actions;
    const created = await actions.create({
      name: 'draft-rollback',
      supported_triggers: POST_LOGIN,
      code: claimCode('a'),
    });
    const first = await actions.deploy(created.id!);
    await actions.update(created.id!, { code: claimCode('b') });
    await actions.deploy(created.id!);
    await actions.versions.deploy(created.id!, first.id!, { update_draft: true });
    const action = await actions.get(created.id!);
    assert.equal(action.code, claimCode('a'));
    assert.equal(action.all_changes_deployed, true);
  });

  it('a test run touches no real data: no execution record, no user change, no cache entry a login can see', async () => {
    const actions = h.management.actions;
    const reader = await actions.create({
      name: 'cache-reader',
      supported_triggers: POST_LOGIN,
      code: `exports.onExecutePostLogin = async (event, api) => {
        const hit = api.cache.get('planted');
        api.idToken.setCustomClaim('https://example.com/cache', hit ? hit.value : 'empty');
      };`,
    });
    await actions.deploy(reader.id!);
    await actions.triggers.bindings.updateMany('post-login', {
      bindings: [{ ref: { type: 'action_name', value: 'cache-reader' } }],
    });
    const writer = await actions.create({
      name: 'cache-writer',
      supported_triggers: POST_LOGIN,
      code: `exports.onExecutePostLogin = async (event, api) => {
        api.cache.set('planted', 'from-a-test');
        api.user.setAppMetadata('planted', 'from-a-test');
        console.log('test run for', event.user.user_id);
      };`,
    });
    const executions = await countRows(h, 'executions');
    const before = await h.server.storage.users.findById(h.tenantId, h.userId);

    const tried = await actions.test(writer.id!, { payload: { user: { user_id: h.userId } } });
    assert.equal(report(tried).outcome, 'completed');
    assert.match(report(tried).logs, new RegExp(`test run for ${h.userId}`));
    assert.deepEqual(
      report(tried).commands.map((c) => c.type),
      ['user.setAppMetadata'],
    );

    assert.equal(await countRows(h, 'executions'), executions, 'no execution record');
    assert.deepEqual(
      await h.server.storage.users.findById(h.tenantId, h.userId),
      before,
      'the user is unchanged',
    );
    assert.equal(
      (await h.login())['https://example.com/cache'],
      'empty',
      'a login does not see the test’s cache',
    );
    await actions.triggers.bindings.updateMany('post-login', { bindings: [] });
  });

  it('reports a draft that fails in a test run as the run’s error, not as a failed request', async () => {
    const actions = h.management.actions;
    const broken = await actions.create({
      name: 'throws-in-test',
      supported_triggers: POST_LOGIN,
      code: `exports.onExecutePostLogin = async () => { throw new Error('boom in test'); };`,
    });
    const tried = await actions.test(broken.id!, { payload: {} });
    assert.equal(report(tried).outcome, 'failed');
    assert.match(report(tried).error!.msg, /boom in test/);
    const syntax = await actions.create({
      name: 'syntax-in-test',
      supported_triggers: POST_LOGIN,
      code: 'exports.x = (',
    });
    const refused = await actions.test(syntax.id!, { payload: {} });
    assert.match(report(refused).error!.msg, /SyntaxError.*line 1/);
    const badEvent = await h.call('POST', `/actions/actions/${broken.id}/test`, {
      body: { payload: { user: 'not an object' } },
    });
    assert.equal(badEvent.status, 400, JSON.stringify(badEvent.body));
  });

  it('makes the execution record of a real login readable through GET /actions/executions/{id}', async () => {
    const actions = h.management.actions;
    const logger = await actions.create({
      name: 'logs-and-claims',
      supported_triggers: POST_LOGIN,
      code: `exports.onExecutePostLogin = async (event, api) => {
        console.log('hello from', event.user.email);
        api.idToken.setCustomClaim('https://example.com/logged', true);
      };`,
    });
    const version = await actions.deploy(logger.id!);
    await actions.triggers.bindings.updateMany('post-login', {
      bindings: [{ ref: { type: 'action_id', value: logger.id! } }],
    });
    await h.login();
    const line = h.server.logs.findLast((entry) => entry.msg === 'post-login trigger ran');
    const executionId = line?.execution as string;
    assert.equal(
      executionId,
      (await lastExecution(h.server.storage, h.tenantId)).id,
      'the log line names the record',
    );

    const execution = await actions.executions.get(executionId);
    assert.equal(execution.id, executionId);
    assert.equal(execution.trigger_id, 'post-login');
    assert.equal(execution.status, 'final');
    assert.equal((execution as { outcome?: string }).outcome, 'success');
    assert.equal(execution.results?.length, 1);
    const [result] = execution.results as unknown as ExecutionResult[];
    assert.equal(result!.action_name, 'logs-and-claims');
    assert.equal(result!.error, null);
    assert.equal(result!.version_id, version.id);
    assert.ok(Date.parse(result!.started_at) <= Date.parse(result!.ended_at));
    assert.ok(Date.parse(execution.created_at!) <= Date.parse(execution.updated_at!));
    assert.deepEqual(
      result!.logs.map((l) => l.message),
      ['hello from ada@example.com'],
    );
    assert.deepEqual(
      result!.commands.map((c) => c.type),
      ['idToken.setCustomClaim'],
    );
    const missing = await h.call('GET', '/actions/executions/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errorCode, 'inexistent_execution');

    // A failing action: the app gets access_denied, the record says which action failed and why.
    const failing = await actions.create({
      name: 'fails-at-login',
      supported_triggers: POST_LOGIN,
      code: `exports.onExecutePostLogin = async () => { throw new Error('boom at login'); };`,
      deploy: true,
    });
    await actions.triggers.bindings.updateMany('post-login', {
      bindings: [
        { ref: { type: 'action_id', value: logger.id! } },
        { ref: { type: 'action_id', value: failing.id! } },
      ],
    });
    assert.equal((await h.loginCallback()).error, 'access_denied');
    const failedId = h.server.logs.findLast((entry) => entry.msg === 'post-login trigger ran')
      ?.execution as string;
    const failed = await actions.executions.get(failedId);
    assert.equal(failed.status, 'final');
    assert.equal((failed as { outcome?: string }).outcome, 'error');
    assert.deepEqual(
      failed.results?.map((r) => [r.action_name, r.error?.id, r.error?.msg]),
      [
        ['logs-and-claims', undefined, undefined],
        ['fails-at-login', 'runtime', 'boom at login (action.js:1:50)'],
      ],
    );
    const denied = await h.call('GET', `/actions/executions/${executionId}`, {
      token: await h.tokenWith(['read:users']),
    });
    assert.equal(denied.status, 403);
    await actions.triggers.bindings.updateMany('post-login', { bindings: [] });
  });
});
