import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ManagementHarness, startManagement } from './helpers.ts';
import { failure, PASSWORD } from './users-helpers.ts';

// docs/security.md#49 through the Management API, driven by the auth0 SDK: a user created or changed
// to an email or username NFKC-equal to, or confusable with, another user's gets Auth0's 409 for a
// taken identifier, word for word.

const DB = 'Username-Password-Authentication';
const JEFF = 'jeff.x@example.com';
const LOOKALIKES = {
  'ff ligature (U+FB00)': 'je\u{fb00}.x@example.com',
  fullwidth: '\u{ff4a}\u{ff45}\u{ff46}\u{ff46}.x@example.com',
  'Cyrillic е (U+0435)': 'j\u{435}ff.x@example.com',
  'Cyrillic а (U+0430) in the domain': 'jeff.x@ex\u{430}mple.com',
};
const conflict = (message: string) => ({
  statusCode: 409,
  error: 'Conflict',
  message,
  errorCode: 'auth0_idp_error',
});

describe('Management API users: look-alike identifiers', () => {
  let h: ManagementHarness;
  let jeff: { user_id?: string };
  before(async () => {
    h = await startManagement();
    jeff = await h.management.users.create({
      connection: DB,
      email: JEFF,
      password: PASSWORD,
      username: 'jeff_x',
    });
  });
  after(() => h?.stop());

  const countUsers = async () =>
    (await h.call('GET', '/users?include_totals=true&per_page=1')).body.total as number;

  it('POST /users answers a look-alike of an existing email with the taken-email 409, and creates nobody', async () => {
    const before = await countUsers();
    const taken = await failure(
      h.management.users.create({ connection: DB, email: JEFF, password: PASSWORD }),
    );
    assert.deepEqual(taken, { statusCode: 409, body: conflict('The user already exists.') });
    for (const [name, email] of Object.entries(LOOKALIKES)) {
      const answer = await failure(h.management.users.create({ connection: DB, email, password: PASSWORD }));
      assert.deepEqual(answer, taken, name);
    }
    assert.equal(await countUsers(), before);
  });

  it('POST /users answers a look-alike of an existing username with the taken-username 409', async () => {
    const before = await countUsers();
    for (const username of ['j\u{435}ff_x', '\u{ff4a}\u{ff45}\u{ff46}\u{ff46}_x', 'JE\u{fb00}_X']) {
      const answer = await failure(
        h.management.users.create({
          connection: DB,
          email: 'someone@example.com',
          password: PASSWORD,
          username,
        }),
      );
      assert.deepEqual(
        answer,
        { statusCode: 409, body: conflict('The username provided is in use already.') },
        username,
      );
    }
    assert.equal(await countUsers(), before);
  });

  it('PATCH /users/{id} answers an email or username changed to a look-alike of another user’s with 409, writing nothing', async () => {
    const other = await h.management.users.create({
      connection: DB,
      email: 'other@example.com',
      password: PASSWORD,
      username: 'other',
    });
    for (const email of Object.values(LOOKALIKES)) {
      const answer = await failure(h.management.users.update(other.user_id!, { email, name: 'Changed' }));
      assert.deepEqual(
        answer,
        { statusCode: 409, body: conflict('The specified new email already exists') },
        email,
      );
    }
    const answer = await failure(h.management.users.update(other.user_id!, { username: 'j\u{435}ff_x' }));
    assert.deepEqual(answer, { statusCode: 409, body: conflict('The username provided is in use already.') });
    assert.deepEqual(await h.management.users.get(other.user_id!), other);
    assert.equal((await h.management.users.get(jeff.user_id!)).email, JEFF);
  });

  it('stores an identifier in its NFKC lower-cased form, and refuses one that is invalid once normalized', async () => {
    const created = await h.management.users.create({
      connection: DB,
      email: '\u{ff2d}\u{ff21}\u{ff32}\u{ff39}@example.com',
      password: PASSWORD,
      username: '\u{ff2d}\u{ff21}\u{ff32}\u{ff39}',
    });
    assert.equal(created.email, 'mary@example.com');
    assert.equal(created.username, 'mary');
    const before = await countUsers();
    // `½` is a digit as typed, `1⁄2` (a fraction slash) once normalized; 43 `ﬄ` are 129 letters.
    const badRequest = (message: string) => ({
      statusCode: 400,
      body: { statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_body' },
    });
    assert.deepEqual(
      await failure(
        h.management.users.create({ connection: DB, email: 'a\u{bd}@example.com', password: PASSWORD }),
      ),
      badRequest('email: not a valid email address'),
    );
    assert.deepEqual(
      await failure(
        h.management.users.create({
          connection: DB,
          email: 'b@example.com',
          password: PASSWORD,
          username: '\u{fb04}'.repeat(43),
        }),
      ),
      badRequest("username: 1 to 128 letters, digits or _+-.!#$'^`~@"),
    );
    assert.deepEqual(
      await failure(h.management.users.update(created.user_id!, { email: 'a\u{bd}@example.com' })),
      badRequest('email: not a valid email address'),
    );
    assert.equal(await countUsers(), before);
  });
});
