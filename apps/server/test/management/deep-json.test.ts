import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '@tessera/core';
import { METADATA_LIMITS } from '@tessera/storage';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';
import { failure, newEmail, PASSWORD } from './users-helpers.ts';

const DB = 'Username-Password-Authentication';
const DEPTH_MESSAGE = `Payload validation error: the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}.`;

/** An object nested `levels` deep (`{ "a": { "a": … 1 } }`, `levels` objects in all). */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};
/** The same as raw JSON text, for depths JSON.stringify could not even produce. */
const nestedText = (levels: number) => '{"a":'.repeat(levels - 1) + '{"a":1' + '}'.repeat(levels);

/**
 * docs/security.md#50: the Management API refuses a body nested more than MAX_JSON_DEPTH levels with
 * Auth0's 400 `invalid_body` before anything walks it (10 000 levels of user_metadata used to answer
 * 500, 3 000 levels were stored), and user_metadata and app_metadata follow Auth0's metadata rules
 * and size bound on create and after an update's merge. A refused request changes nothing.
 */
describe('Management API: deep JSON and metadata limits', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const countUsers = async () =>
    (await h.call('GET', '/users?include_totals=true&per_page=1')).body.total as number;
  const createUser = async (extra: Record<string, unknown> = {}) => {
    const response = await h.call('POST', '/users', {
      body: { connection: DB, email: newEmail(), password: PASSWORD, ...extra },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body as { user_id: string } & Record<string, unknown>;
  };
  const createRaw = (userMetadata: string) =>
    h.call('POST', '/users', {
      raw: `{"connection":"${DB}","email":"${newEmail()}","password":"${PASSWORD}","user_metadata":${userMetadata}}`,
    });
  const readUser = async (id: string) => (await h.call('GET', `/users/${encodeURIComponent(id)}`)).body;

  it('refuses a 10 000-level user_metadata on POST /users with 400 invalid_body, storing nothing', async () => {
    const before = await countUsers();
    const response = await createRaw(nestedText(10_000));
    assertAuth0Error(response, 400, 'invalid_body');
    assert.equal(response.body.message, DEPTH_MESSAGE);
    assert.equal(await countUsers(), before, 'no user was created');
  });

  it(`refuses a body of ${MAX_JSON_DEPTH + 1} levels on POST and PATCH, and accepts exactly ${MAX_JSON_DEPTH}`, async () => {
    const before = await countUsers();
    // The body object is one level, user_metadata the rest.
    const over = await createRaw(nestedText(MAX_JSON_DEPTH));
    assertAuth0Error(over, 400, 'invalid_body');
    assert.equal(over.body.message, DEPTH_MESSAGE);
    assert.equal(await countUsers(), before);

    const user = await createUser({ name: 'Before', user_metadata: nested(MAX_JSON_DEPTH - 1) });
    assert.deepEqual(user.user_metadata, nested(MAX_JSON_DEPTH - 1));
    const stored = await readUser(user.user_id);
    const patch = (raw: string) => h.call('PATCH', `/users/${encodeURIComponent(user.user_id)}`, { raw });
    const refused = await patch(`{"name":"After","user_metadata":${nestedText(MAX_JSON_DEPTH)}}`);
    assertAuth0Error(refused, 400, 'invalid_body');
    assert.equal(refused.body.message, DEPTH_MESSAGE);
    const tenThousand = await patch(`{"name":"After","user_metadata":${nestedText(10_000)}}`);
    assertAuth0Error(tenThousand, 400, 'invalid_body');
    assert.deepEqual(await readUser(user.user_id), stored, 'the user is exactly as it was');

    // What a client read it can send back: the deepest metadata still fits in a PATCH body.
    const echoed = await h.call('PATCH', `/users/${encodeURIComponent(user.user_id)}`, {
      body: { user_metadata: stored.user_metadata },
    });
    assert.equal(echoed.status, 200, JSON.stringify(echoed.body));
    assert.deepEqual(echoed.body.user_metadata, nested(MAX_JSON_DEPTH - 1));
  });

  it('refuses metadata over the size limit on POST, naming the limit, and stores nothing', async () => {
    const before = await countUsers();
    const overhead = JSON.stringify({ blob: '' }).length;
    const tooBig = { blob: 'x'.repeat(METADATA_LIMITS.bytes - overhead + 1) };
    const response = await h.call('POST', '/users', {
      body: { connection: DB, email: newEmail(), password: PASSWORD, app_metadata: tooBig },
    });
    assertAuth0Error(response, 400, 'invalid_body');
    assert.equal(
      response.body.message,
      `app_metadata: ${METADATA_LIMITS.bytes + 1} bytes of JSON; the limit is ${METADATA_LIMITS.bytes} bytes`,
    );
    assert.equal(await countUsers(), before);
    const fits = await createUser({ app_metadata: { blob: 'x'.repeat(METADATA_LIMITS.bytes - overhead) } });
    assert.equal((fits.app_metadata as { blob: string }).blob.length, METADATA_LIMITS.bytes - overhead);
  });

  it('refuses a PATCH whose merged metadata would exceed the limit, writing none of the PATCH', async () => {
    const half = 'x'.repeat(METADATA_LIMITS.bytes / 2);
    const user = await createUser({ name: 'Before', user_metadata: { first: half } });
    const before = await readUser(user.user_id);
    const path = `/users/${encodeURIComponent(user.user_id)}`;
    // Each part fits on its own; together they do not.
    const response = await h.call('PATCH', path, {
      body: { name: 'After', app_metadata: { plan: 'pro' }, user_metadata: { second: half } },
    });
    assertAuth0Error(response, 400, 'invalid_body');
    assert.equal(
      response.body.message,
      `user_metadata: ${JSON.stringify({ first: half, second: half }).length} bytes of JSON; the limit is ${METADATA_LIMITS.bytes} bytes`,
    );
    assert.deepEqual(await readUser(user.user_id), before, 'no field, metadata or timestamp was written');

    const replaced = await h.call('PATCH', path, { body: { user_metadata: { first: null, second: half } } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.deepEqual(replaced.body.user_metadata, { second: half });
  });

  it('refuses field names with "." or "$" at any depth and reserved app_metadata properties', async () => {
    const user = await createUser({ app_metadata: { plan: 'free' } });
    const before = await readUser(user.user_id);
    const path = `/users/${encodeURIComponent(user.user_id)}`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { user_metadata: { 'preference.color': 'pink' } },
        'user_metadata: field names cannot contain "." or "$" (got "preference.color"); nest the value instead',
      ],
      [
        { user_metadata: { preference: { list: [{ $where: 1 }] } } },
        'user_metadata: field names cannot contain "." or "$" (got "$where"); nest the value instead',
      ],
      [
        { app_metadata: { blocked: false } },
        'app_metadata: "blocked" is a reserved property and cannot be stored in app_metadata',
      ],
    ];
    for (const [body, message] of cases) {
      const created = await h.call('POST', '/users', {
        body: { connection: DB, email: newEmail(), password: PASSWORD, ...body },
      });
      assertAuth0Error(created, 400, 'invalid_body');
      assert.equal(created.body.message, message);
      const patched = await h.call('PATCH', path, { body });
      assertAuth0Error(patched, 400, 'invalid_body');
      assert.equal(patched.body.message, message);
    }
    assert.deepEqual(await readUser(user.user_id), before);
    // A dot or a dollar in a value is fine (Auth0: "light.blue").
    const ok = await h.call('PATCH', path, { body: { user_metadata: { color: 'light.blue', price: '$5' } } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('answers the auth0 SDK with the same 400s', async () => {
    const before = await countUsers();
    const deep = await failure(
      h.management.users.create({
        connection: DB,
        email: newEmail(),
        password: PASSWORD,
        user_metadata: nested(MAX_JSON_DEPTH),
      }),
    );
    assert.equal(deep.statusCode, 400);
    assert.deepEqual(deep.body, {
      statusCode: 400,
      error: 'Bad Request',
      message: DEPTH_MESSAGE,
      errorCode: 'invalid_body',
    });
    const big = await failure(
      h.management.users.create({
        connection: DB,
        email: newEmail(),
        password: PASSWORD,
        user_metadata: { blob: 'x'.repeat(METADATA_LIMITS.bytes) },
      }),
    );
    assert.equal(big.statusCode, 400);
    assert.equal(big.body.errorCode, 'invalid_body');
    assert.equal(
      big.body.message,
      `user_metadata: ${METADATA_LIMITS.bytes + JSON.stringify({ blob: '' }).length} bytes of JSON; the limit is ${METADATA_LIMITS.bytes} bytes`,
    );
    assert.equal(await countUsers(), before);

    const user = await h.management.users.create({ connection: DB, email: newEmail(), password: PASSWORD });
    const update = await failure(
      h.management.users.update(user.user_id!, { user_metadata: nested(MAX_JSON_DEPTH) }),
    );
    assert.equal(update.statusCode, 400);
    assert.equal(update.body.message, DEPTH_MESSAGE);
  });
});
