import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

const FORM_ID = /^ap_[A-Za-z0-9]{22}$/;

/** A small form as Auth0's editor saves it: a start, one step with a field, an ending. */
const signupDetails = () => ({
  name: 'Sign-up details',
  languages: { primary: 'en' },
  messages: { custom: { welcome: 'Welcome!' } },
  translations: { fr: { welcome: 'Bienvenue !' } },
  start: { next_node: 'step_details', coordinates: { x: 0, y: 0 } },
  nodes: [
    {
      id: 'step_details',
      type: 'STEP' as const,
      coordinates: { x: 300, y: 0 },
      config: {
        components: [
          { id: 'full_name', category: 'FIELD' as const, type: 'TEXT' as const, required: true, config: {} },
        ],
        next_node: '$ending',
      },
    },
  ],
  ending: { resume_flow: true },
  style: { css: 'h1 { color: teal; }' },
});

describe('Management API /forms', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const count = async () => (await h.server.storage.forms.list(h.tenantId, { skip: 0, take: 100 })).total;

  it('creates, reads, updates and deletes a form through the SDK', async () => {
    const created = await h.management.forms.create(signupDetails());
    assert.match(created.id, FORM_ID);
    const { id, created_at, updated_at, ...rest } = created;
    assert.deepEqual(rest, signupDetails());
    assert.match(created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.match(updated_at, /^\d{4}-\d\d-\d\dT.*Z$/);

    assert.deepEqual(await h.management.forms.get(id), created);

    const updated = await h.management.forms.update(id, {
      name: 'Profile details',
      nodes: [{ id: 'router', type: 'ROUTER', config: { fallback: '$ending' } }],
    });
    assert.equal(updated.name, 'Profile details');
    assert.deepEqual(updated.nodes, [{ id: 'router', type: 'ROUTER', config: { fallback: '$ending' } }]);
    assert.deepEqual(updated.translations, signupDetails().translations, 'parts not sent are kept');
    assert.deepEqual(updated.start, signupDetails().start);
    assert.ok(updated.updated_at >= created.updated_at);

    await h.management.forms.delete(id);
    await assert.rejects(
      h.management.forms.get(id),
      (error: { statusCode?: number }) => error.statusCode === 404,
    );
    assertAuth0Error(await h.call('GET', `/forms/${id}`), 404, 'inexistent_form', /does not exist/);
  });

  it('resets a part with null, and keeps translations and languages apart', async () => {
    const { id } = await h.management.forms.create(signupDetails());
    const languages = await h.call('PATCH', `/forms/${id}`, {
      body: { languages: { primary: 'fr', default: 'fr' } },
    });
    assert.equal(languages.status, 200);
    assert.deepEqual(languages.body.languages, { primary: 'fr', default: 'fr' });
    assert.deepEqual(languages.body.translations, signupDetails().translations);

    const reset = await h.call('PATCH', `/forms/${id}`, {
      body: { translations: null, start: null, nodes: null },
    });
    assert.equal(reset.status, 200);
    assert.deepEqual(reset.body.translations, {});
    assert.deepEqual(reset.body.languages, { primary: 'fr', default: 'fr' });
    assert.deepEqual(reset.body.nodes, []);
    assert.ok(!('start' in reset.body));
    assert.deepEqual(reset.body.ending, signupDetails().ending);
  });

  it('lists summaries, paginated, with Auth0 totals', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma']) await h.management.forms.create({ name });
    const total = await count();
    const bare = await h.call('GET', '/forms?per_page=2&page=0');
    assert.equal(bare.status, 200);
    assert.equal(bare.body.length, 2);
    assert.deepEqual(Object.keys(bare.body[0]).sort(), ['created_at', 'id', 'name', 'updated_at']);

    const second = await h.call('GET', '/forms?per_page=2&page=1&include_totals=true');
    assert.deepEqual(Object.keys(second.body).sort(), ['forms', 'limit', 'start', 'total']);
    assert.equal(second.body.start, 2);
    assert.equal(second.body.limit, 2);
    assert.equal(second.body.total, total);
    const seen = new Set([...bare.body, ...second.body.forms].map((form: { id: string }) => form.id));
    assert.equal(seen.size, bare.body.length + second.body.forms.length, 'pages do not overlap');

    const page = await h.management.forms.list({ per_page: 2, page: 0, include_totals: true });
    assert.deepEqual(
      page.data.map((form) => form.id),
      bare.body.map((form: { id: string }) => form.id),
    );
    const all = [];
    for await (const form of await h.management.forms.list({ per_page: 2 })) all.push(form.id);
    assert.equal(all.length, total, 'the SDK pages through every form');
  });

  it('refuses malformed bodies with 400 invalid_body and writes nothing', async () => {
    const before = await count();
    const node = { id: 'a', type: 'STEP' };
    const cases: [unknown, RegExp][] = [
      [{}, /Missing required property: name/],
      [{ name: '' }, /too short/],
      [{ name: 'x'.repeat(151) }, /too long/],
      [{ name: 7 }, /Expected type string but found type integer/],
      [{ name: 'x', colour: 'red' }, /Additional properties not allowed: colour/],
      [{ name: 'x', nodes: {} }, /Expected type array/],
      [{ name: 'x', nodes: [{ type: 'STEP' }] }, /Missing required property: id/],
      [{ name: 'x', nodes: [{ id: 'a', type: 'PAGE' }] }, /No enum match for: "PAGE"/],
      [{ name: 'x', nodes: ['a'] }, /Expected type object/],
      [
        { name: 'x', nodes: Array.from({ length: 101 }, (_, i) => ({ id: `n${i}`, type: 'STEP' })) },
        /maximum 100/,
      ],
      [{ name: 'x', nodes: [node, node] }, /Duplicate node id a/],
      [{ name: 'x', start: 'step' }, /Expected type object/],
      [{ name: 'x', ending: [] }, /Expected type object/],
      [{ name: 'x', style: { css: 1 } }, /Expected type string/],
    ];
    for (const [body, message] of cases) {
      assertAuth0Error(await h.call('POST', '/forms', { body }), 400, 'invalid_body', message);
    }
    assertAuth0Error(
      await h.call('POST', '/forms', { raw: '{"name": "x",' }),
      400,
      'invalid_body',
      /Invalid request payload JSON/,
    );
    assert.equal(await count(), before);
  });

  it('refuses a bad update with 400 and an unknown id with 404, changing nothing', async () => {
    const created = await h.management.forms.create(signupDetails());
    assertAuth0Error(
      await h.call('PATCH', `/forms/${created.id}`, { body: { name: null } }),
      400,
      'invalid_body',
    );
    assertAuth0Error(
      await h.call('PATCH', `/forms/${created.id}`, {
        body: { name: 'ok', nodes: [{ id: 'a', type: 'NOPE' }] },
      }),
      400,
      'invalid_body',
    );
    assert.deepEqual(await h.management.forms.get(created.id), created, 'nothing half-written');
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
      assertAuth0Error(
        await h.call(method, '/forms/ap_0000000000000000000000', { body }),
        404,
        'inexistent_form',
      );
    }
  });

  it('answers an update racing a delete of the same form with 200 or 404, never 500', async () => {
    for (let round = 0; round < 20; round++) {
      const created = await h.management.forms.create({ name: `doomed-${round}` });
      // The delete starts 0 to 4 ms later, to land between the update's read and its write.
      const [update, removal] = await Promise.all([
        h.call('PATCH', `/forms/${created.id}`, { body: { name: 'renamed', languages: { primary: 'fr' } } }),
        new Promise((resolve) => setTimeout(resolve, round % 5)).then(() =>
          h.call('DELETE', `/forms/${created.id}`),
        ),
      ]);
      assert.equal(removal.status, 204);
      if (update.status !== 200) assertAuth0Error(update, 404, 'inexistent_form');
      assertAuth0Error(await h.call('GET', `/forms/${created.id}`), 404, 'inexistent_form');
    }
  });

  it("does not show or change another tenant's form", async () => {
    const other = await h.server.storage.tenants.create({ name: 'other', domains: ['other.example.com'] });
    const theirs = await h.server.storage.forms.create(other.id, { name: 'Theirs' });
    assertAuth0Error(await h.call('GET', `/forms/${theirs.id}`), 404, 'inexistent_form');
    assertAuth0Error(
      await h.call('PATCH', `/forms/${theirs.id}`, { body: { name: 'Mine' } }),
      404,
      'inexistent_form',
    );
    assertAuth0Error(await h.call('DELETE', `/forms/${theirs.id}`), 404, 'inexistent_form');
    const listed = await h.call('GET', '/forms?per_page=100');
    assert.ok(!listed.body.some((form: { id: string }) => form.id === theirs.id));
    assert.equal((await h.server.storage.forms.get(other.id, theirs.id))?.name, 'Theirs');
  });

  it('answers 403 insufficient_scope per operation, and nothing changes', async () => {
    const { id } = await h.management.forms.create({ name: 'Guarded' });
    const reader = await h.tokenWith(['read:forms']);
    const before = await count();
    assertAuth0Error(
      await h.call('POST', '/forms', { token: reader, body: { name: 'x' } }),
      403,
      'insufficient_scope',
      /create:forms/,
    );
    assertAuth0Error(
      await h.call('PATCH', `/forms/${id}`, { token: reader, body: { name: 'x' } }),
      403,
      'insufficient_scope',
      /update:forms/,
    );
    assertAuth0Error(
      await h.call('DELETE', `/forms/${id}`, { token: reader }),
      403,
      'insufficient_scope',
      /delete:forms/,
    );
    const writer = await h.tokenWith(['create:forms']);
    assertAuth0Error(
      await h.call('GET', '/forms', { token: writer }),
      403,
      'insufficient_scope',
      /read:forms/,
    );
    assertAuth0Error(
      await h.call('GET', `/forms/${id}`, { token: writer }),
      403,
      'insufficient_scope',
      /read:forms/,
    );
    assert.equal(await count(), before);
    assert.equal((await h.management.forms.get(id)).name, 'Guarded');
  });

  it('refuses unknown query parameters', async () => {
    assertAuth0Error(
      await h.call('GET', '/forms?hydrate=flow_count'),
      400,
      'invalid_query_string',
      /hydrate/,
    );
  });
});
