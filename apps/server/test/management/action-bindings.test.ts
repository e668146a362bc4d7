import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { claimCode, POST_LOGIN } from './actions-helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

/** Auth0's `/actions/triggers` and `/actions/triggers/{triggerId}/bindings` (the post-login flow). */
describe('Management API triggers and bindings', () => {
  let h: ManagementHarness;
  const deployed: Record<string, string> = {};
  let draftOnly: string;

  const bound = async () =>
    (await h.call('GET', '/actions/triggers/post-login/bindings?per_page=100')).body.bindings.map(
      (b: { action: { name: string } }) => b.action.name,
    );
  const replace = (bindings: unknown[], token?: string) =>
    h.call('PATCH', '/actions/triggers/post-login/bindings', { body: { bindings }, token });
  const byName = (name: string) => ({ ref: { type: 'action_name', value: name } });

  before(async () => {
    h = await startManagement();
    for (const name of Array.from({ length: 21 }, (_, i) => `bindable-${i}`)) {
      const action = await h.management.actions.create({
        name,
        supported_triggers: POST_LOGIN,
        code: claimCode(name),
        deploy: true,
      });
      deployed[name] = action.id!;
    }
    draftOnly = (
      await h.management.actions.create({
        name: 'draft-only',
        supported_triggers: POST_LOGIN,
        code: claimCode('d'),
      })
    ).id!;
  });
  beforeEach(async () => {
    await h.management.actions.triggers.bindings.updateMany('post-login', { bindings: [] });
  });
  after(() => h?.stop());

  it('lists the post-login trigger as Auth0 describes triggers', async () => {
    const { triggers } = await h.management.actions.triggers.list();
    assert.deepEqual(triggers, [
      {
        id: 'post-login',
        version: 'v3',
        status: 'CURRENT',
        runtimes: ['node18', 'node22'],
        default_runtime: 'node22',
        compatible_triggers: [],
        binding_policy: 'trigger-bound',
      },
    ]);
  });

  it('replaces the ordered list by id and by name, with display names, and lists it in pages', async () => {
    const response = await h.management.actions.triggers.bindings.updateMany('post-login', {
      bindings: [
        { ref: { type: 'action_name', value: 'bindable-2' }, display_name: 'Second, first' },
        { ref: { type: 'action_id', value: deployed['bindable-0']! } },
        { ref: { type: 'action_name', value: 'bindable-1' } },
      ],
    });
    assert.deepEqual(
      response.bindings?.map((b) => [b.trigger_id, b.display_name, b.action?.name]),
      [
        ['post-login', 'Second, first', 'bindable-2'],
        ['post-login', 'bindable-0', 'bindable-0'],
        ['post-login', 'bindable-1', 'bindable-1'],
      ],
    );
    const first = response.bindings![0]!;
    assert.deepEqual(Object.keys(first).sort(), [
      'action',
      'created_at',
      'display_name',
      'id',
      'trigger_id',
      'updated_at',
    ]);
    assert.equal(first.action?.deployed_version?.number, 1);
    const page = await h.call('GET', '/actions/triggers/post-login/bindings?page=1&per_page=2');
    assert.deepEqual(
      [
        page.body.total,
        page.body.page,
        page.body.per_page,
        page.body.bindings.map((b: { display_name: string }) => b.display_name),
      ],
      [3, 1, 2, ['bindable-1']],
    );
    const names: string[] = [];
    for await (const binding of await h.management.actions.triggers.bindings.list('post-login', {
      per_page: 2,
    }))
      names.push(binding.action!.name!);
    assert.deepEqual(names, ['bindable-2', 'bindable-0', 'bindable-1']);
    // A binding_id ref keeps an existing binding's action where the new list puts it.
    await replace([{ ref: { type: 'binding_id', value: first.id } }, byName('bindable-3')]);
    assert.deepEqual(await bound(), ['bindable-2', 'bindable-3']);
  });

  it('refuses a bad list as a whole: nothing changes', async () => {
    await replace([byName('bindable-0'), byName('bindable-1')]);
    const cases: Array<[unknown[], number, string, RegExp]> = [
      [
        [byName('bindable-2'), byName('no-such-action')],
        404,
        'inexistent_action',
        /no-such-action not found/,
      ],
      [[{ ref: { type: 'action_id', value: draftOnly } }], 400, 'invalid_body', /draft-only is not deployed/],
      [[byName('bindable-2'), byName('bindable-2')], 400, 'invalid_body', /bound twice/],
      [Object.keys(deployed).map(byName), 400, 'invalid_body', /at most 20 actions/],
      [
        [{ ...byName('bindable-2'), secrets: [{ name: 'S', value: 'v' }] }],
        400,
        'invalid_body',
        /secrets on the action/,
      ],
      [[{ ref: { type: 'action_key', value: 'x' } }], 400, 'invalid_body', /No enum match/],
      [[{ ref: { type: 'binding_id', value: 'not-a-binding' } }], 404, 'inexistent_action', /not found/],
    ];
    for (const [bindings, status, code, message] of cases)
      assertAuth0Error(await replace(bindings), status, code, message);
    assertAuth0Error(
      await h.call('PATCH', '/actions/triggers/post-login/bindings', { body: { bindings: [], extra: true } }),
      400,
      'invalid_body',
      /Additional properties not allowed: extra/,
    );
    assertAuth0Error(
      await h.call('PATCH', '/actions/triggers/post-login/bindings', { raw: '{"bindings": [' }),
      400,
      'invalid_body',
    );
    assertAuth0Error(
      await h.call('PATCH', '/actions/triggers/credentials-exchange/bindings', { body: { bindings: [] } }),
      404,
      'inexistent_trigger',
      /post-login only/,
    );
    assertAuth0Error(
      await h.call('GET', '/actions/triggers/no-such-trigger/bindings'),
      404,
      'inexistent_trigger',
    );
    assert.deepEqual(await bound(), ['bindable-0', 'bindable-1']);
  });

  it('binds exactly 20 actions, the limit', async () => {
    const twenty = Object.keys(deployed).slice(0, 20);
    assert.equal((await replace(twenty.map(byName))).status, 200);
    assert.deepEqual(await bound(), twenty);
  });

  it('lets concurrent replacements take turns: the last one wins whole, never a mix', async () => {
    const lists = Array.from({ length: 8 }, (_, i) =>
      Array.from({ length: 3 + (i % 3) }, (_, j) => `bindable-${(i * 3 + j) % 21}`),
    );
    const responses = await Promise.all(lists.map((list) => replace(list.map(byName))));
    assert.deepEqual(
      responses.map((r) => r.status),
      lists.map(() => 200),
    );
    const final = await bound();
    assert.ok(
      lists.some((list) => JSON.stringify(list) === JSON.stringify(final)),
      `the bindings are one request’s list, not a mix: ${final.join(', ')}`,
    );
    const [row] = await h.server.storage.db.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM trigger_bindings WHERE tenant_id = $1 AND trigger_id = 'post-login'",
      [h.tenantId],
    );
    assert.equal(row!.n, final.length);
  });

  it('answers 403 insufficient_scope without update:actions (or read:actions to list), changing nothing', async () => {
    await replace([byName('bindable-0')]);
    const readOnly = await h.tokenWith(['read:actions']);
    assertAuth0Error(await replace([byName('bindable-1')], readOnly), 403, 'insufficient_scope');
    const none = await h.tokenWith(['read:users']);
    assertAuth0Error(await h.call('GET', '/actions/triggers', { token: none }), 403, 'insufficient_scope');
    assertAuth0Error(
      await h.call('GET', '/actions/triggers/post-login/bindings', { token: none }),
      403,
      'insufficient_scope',
    );
    assert.deepEqual(await bound(), ['bindable-0']);
    assert.equal(
      (await h.call('GET', '/actions/triggers/post-login/bindings', { token: readOnly })).status,
      200,
    );
  });
});
