import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { domainToASCII } from 'node:url';
import { ConflictError, InvalidRequestError, type Logger, silentLogger } from '@tessera/core';
import { createTestDatabase, openTestStorage, type TestDatabase } from '../../testing/src/database.ts';
import type { SqlConnection } from '../src/database.ts';
import { SKELETON_VERSION } from '../src/skeleton.ts';
import { backfillSkeletons } from '../src/skeleton-backfill.ts';
import { openStorage, type Storage } from '../src/storage.ts';

// docs/security.md#49: identifiers are stored and compared in their NFKC, lower-cased form, and an
// identifier confusable with an existing one (same UTS #39 skeleton) is refused like a taken one.

const JEFF = 'jeff.x@example.com';
/** NFKC-equal to JEFF: the ff ligature U+FB00, and fullwidth letters. */
const LIGATURE = 'je\u{fb00}.x@example.com';
const FULLWIDTH = '\u{ff4a}\u{ff45}\u{ff46}\u{ff46}.x@example.com';
/** Not NFKC-equal, but confusable: Cyrillic е (U+0435). */
const CYRILLIC = 'j\u{435}ff.x@example.com';

/** Every printable ASCII character as its fullwidth form (`@` becomes `＠`, `.` becomes `．`). */
const fullwidth = (ascii: string) =>
  ascii.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));
const taken = (description: string) => (error: unknown) =>
  error instanceof ConflictError && error.description === description;
const invalid = (description: string) => (error: unknown) =>
  error instanceof InvalidRequestError && error.description === description;
const EMAIL_TAKEN = 'The user already exists.';
const USERNAME_TAKEN = 'The username provided is in use already.';
const NEW_EMAIL_TAKEN = 'The specified new email already exists';
const BAD_EMAIL = 'email: not a valid email address';
const BAD_USERNAME = "username: 1 to 128 letters, digits or _+-.!#$'^`~@";

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = () => storage.tenants.create({ name: `lookalike-${++counter}`, domains: [] });
const countUsers = async (tenantId: string) => {
  const [row] = await storage.db.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM users WHERE tenant_id = $1',
    [tenantId],
  );
  return row?.n;
};

describe('identifiers are kept and looked up in their NFKC, lower-cased form', () => {
  it('stores an email and a username written with a ligature, fullwidth or capital letters as NFKC lower case', async () => {
    const tenant = await newTenant();
    const user = await storage.users.create(tenant.id, {
      email: 'ＪＥ\u{fb00}.Ｘ@Example.COM',
      username: 'Ｊｅ\u{fb00}_Ｘ',
    });
    assert.equal(user.email, JEFF);
    assert.equal(user.username, 'jeff_x');
    assert.equal(user.nickname, 'jeff.x');
  });

  it('finds the user for login and by email under any NFKC-equal spelling of its email or username', async () => {
    const tenant = await newTenant();
    const jeff = await storage.users.create(tenant.id, {
      email: JEFF,
      username: 'jeff_x',
      password: 'pa55word!',
    });
    for (const spelling of [FULLWIDTH, LIGATURE, ' JE\u{fb00}.X@EXAMPLE.COM ', fullwidth(JEFF)]) {
      assert.equal((await storage.users.findForLogin(tenant.id, spelling))?.user.user_id, jeff.user_id);
      assert.equal((await storage.users.findByEmail(tenant.id, spelling))?.user_id, jeff.user_id);
      assert.deepEqual(
        (await storage.userAdmin.listByEmail(tenant.id, spelling)).map((user) => user.user_id),
        [jeff.user_id],
      );
    }
    const byUsername = await storage.users.findForLogin(
      tenant.id,
      '\u{ff2a}\u{ff25}\u{ff26}\u{ff26}_\u{ff38}',
    );
    assert.equal(byUsername?.user.user_id, jeff.user_id);
    assert.equal(await storage.users.findForLogin(tenant.id, CYRILLIC), undefined);
  });

  it('validates after normalizing: NFKC can lengthen an identifier or take it out of its alphabet', async () => {
    const tenant = await newTenant();
    // 22 ligatures are a 22-letter local part as typed, 66 letters (over 64) once normalized.
    await assert.rejects(
      storage.users.create(tenant.id, { email: `${'\u{fb04}'.repeat(22)}@example.com` }),
      invalid(BAD_EMAIL),
    );
    // ½ is a digit as typed, `1⁄2` (with a fraction slash, not allowed) once normalized.
    await assert.rejects(
      storage.users.create(tenant.id, { email: 'a\u{bd}@example.com' }),
      invalid(BAD_EMAIL),
    );
    // 43 ligatures: 43 characters typed, 129 (over 128) normalized.
    await assert.rejects(
      storage.users.create(tenant.id, { email: 'ok@example.com', username: '\u{fb04}'.repeat(43) }),
      invalid(BAD_USERNAME),
    );
    assert.equal(await countUsers(tenant.id), 0);
    const user = await storage.users.create(tenant.id, { email: 'ok@example.com' });
    await assert.rejects(
      storage.userAdmin.update(tenant.id, user.user_id, { email: 'a\u{bd}@example.com' }),
      invalid(BAD_EMAIL),
    );
    await assert.rejects(
      storage.userAdmin.update(tenant.id, user.user_id, { username: '\u{fb04}'.repeat(43) }),
      invalid(BAD_USERNAME),
    );
    // The small commercial at (U+FE6B) is an @ once normalized: a valid address, and a taken one.
    await assert.rejects(
      storage.users.create(tenant.id, { email: 'ok\u{fe6b}example.com' }),
      taken(EMAIL_TAKEN),
    );
  });
});

describe('an identifier confusable with an existing one is refused like a taken one', () => {
  it('refuses the ligature, fullwidth and Cyrillic look-alikes of an email with the taken-email error', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: JEFF });
    for (const lookalike of [LIGATURE, FULLWIDTH, CYRILLIC, 'jeff.x@ex\u{430}mple.com']) {
      await assert.rejects(
        storage.users.create(tenant.id, { email: lookalike, password: 'pa55word!' }),
        taken(EMAIL_TAKEN),
      );
    }
    // The same look-alike domain written in punycode.
    const punycode = `jeff.x@${domainToASCII('ex\u{430}mple.com')}`;
    assert.match(punycode, /^jeff\.x@xn--/);
    await assert.rejects(storage.users.create(tenant.id, { email: punycode }), taken(EMAIL_TAKEN));
    assert.equal(await countUsers(tenant.id), 1);
  });

  it('accepts addresses that only share a part: another mailbox, another domain, an accented letter', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: JEFF });
    for (const email of ['jeff.y@example.com', 'jeff.x@example.org', 'j\u{e9}ff.x@example.com']) {
      assert.equal((await storage.users.create(tenant.id, { email })).email, email);
    }
    assert.equal(await countUsers(tenant.id), 4);
  });

  it('refuses look-alike usernames with the taken-username error', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: 'a@example.com', username: 'jeff_x' });
    for (const [i, username] of [
      'j\u{435}ff_x',
      '\u{ff4a}\u{ff45}\u{ff46}\u{ff46}_x',
      'je\u{fb00}_x',
    ].entries()) {
      await assert.rejects(
        storage.users.create(tenant.id, { email: `b${i}@example.com`, username }),
        taken(USERNAME_TAKEN),
      );
    }
    assert.equal(await countUsers(tenant.id), 1);
  });

  it('refuses an email or username changed to a look-alike of another user’s, and changes nothing', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: JEFF, username: 'jeff_x' });
    const other = await storage.users.create(tenant.id, { email: 'other@example.com', username: 'other' });
    await assert.rejects(
      storage.userAdmin.update(tenant.id, other.user_id, { email: CYRILLIC }),
      taken(NEW_EMAIL_TAKEN),
    );
    await assert.rejects(
      storage.userAdmin.update(tenant.id, other.user_id, { username: 'j\u{435}ff_x', name: 'Other' }),
      taken(USERNAME_TAKEN),
    );
    assert.deepEqual(await storage.users.findById(tenant.id, other.user_id), other);
    // A user may re-spell its own identifiers: nothing else looks like them.
    const respelled = await storage.userAdmin.update(tenant.id, other.user_id, {
      email: 'ＯＴＨＥＲ@example.com',
    });
    assert.equal(respelled.email, 'other@example.com');
  });

  it('keeps look-alikes apart only within one connection and one tenant', async () => {
    const tenant = await newTenant();
    await storage.users.create(tenant.id, { email: JEFF, username: 'jeff_x' });
    const id = `con_${randomBytes(8).toString('hex')}`;
    await storage.db.sql.query(
      `INSERT INTO connections (id, tenant_id, name, strategy, updated_at) VALUES ($1, $2, 'Other-DB', 'auth0', now())`,
      [id, tenant.id],
    );
    const there = await storage.users.create(tenant.id, {
      email: CYRILLIC,
      username: 'j\u{435}ff_x',
      connection: 'Other-DB',
    });
    assert.equal(there.email, CYRILLIC);
    const elsewhere = await storage.users.create((await newTenant()).id, {
      email: CYRILLIC,
      username: 'j\u{435}ff_x',
    });
    assert.equal(elsewhere.email, CYRILLIC);
  });

  it('lets exactly one of several concurrent look-alike sign-ups win', async () => {
    const tenant = await newTenant();
    const racers = [
      'jeff.z@example.com',
      'je\u{fb00}.z@example.com',
      'j\u{435}ff.z@example.com',
      'j\u{435}\u{fb00}.z@example.com',
    ];
    const results = await Promise.allSettled(
      racers.map((email) => storage.users.create(tenant.id, { email })),
    );
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      assert.ok(taken(EMAIL_TAKEN)(result.reason), String(result.reason));
    }
    assert.equal(await countUsers(tenant.id), 1);
  });
});

describe('users written before skeletons existed get theirs at boot', () => {
  let database: TestDatabase;
  let db: Storage;
  const masterKey = randomBytes(32);
  const open = (log: Logger = silentLogger) =>
    openStorage({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 4,
      masterKey,
      log,
    });
  before(async () => {
    database = await createTestDatabase();
    db = await open();
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  /** What an older release left behind: identifiers as written then, no skeleton. */
  const makeLegacy = (
    sql: SqlConnection,
    userId: string,
    fields: { email?: string; username?: string } = {},
  ) =>
    sql.query(
      `UPDATE users SET email = COALESCE($2, email), email_normalized = COALESCE($2, email_normalized),
              username = COALESCE($3, username), email_skeleton = NULL, username_skeleton = NULL, skeleton_version = 0
        WHERE user_id = $1`,
      [userId, fields.email ?? null, fields.username ?? null],
    );
  const skeletons = async (userId: string) => {
    const [row] = await db.db.sql.query<Record<string, unknown>>(
      'SELECT email, username, email_skeleton, username_skeleton, skeleton_version FROM users WHERE user_id = $1',
      [userId],
    );
    return row;
  };

  it('normalizes and skeletons older rows at the next open, leaving look-alikes already there without one and logged', async () => {
    const tenant = await db.tenants.create({ name: 'legacy', domains: [] });
    const jeff = await db.users.create(tenant.id, { email: JEFF, username: 'jeff_x', password: 'pa55word!' });
    const wide = await db.users.create(tenant.id, {
      email: 'w@example.com',
      username: 'w',
      password: 'pa55word!',
    });
    const twin = await db.users.create(tenant.id, { email: 't@example.com', username: 't' });
    const dupe = await db.users.create(tenant.id, { email: 'd@example.com' });
    await makeLegacy(db.db.sql, jeff.user_id);
    // Stored by an older release as typed (lower-cased only): fullwidth letters.
    await makeLegacy(db.db.sql, wide.user_id, {
      email: '\u{ff57}\u{ff49}\u{ff44}\u{ff45}@example.com',
      username: '\u{ff57}\u{ff49}\u{ff44}\u{ff45}',
    });
    // Look-alikes that older releases let in: Cyrillic, and a fullwidth duplicate of jeff's email.
    await makeLegacy(db.db.sql, twin.user_id, { email: CYRILLIC, username: 'j\u{435}ff_x' });
    await makeLegacy(db.db.sql, dupe.user_id, { email: FULLWIDTH });
    await db.close();

    const warnings: unknown[] = [];
    const infos: unknown[] = [];
    const log: Logger = {
      ...silentLogger,
      warn: (obj) => warnings.push(obj),
      info: (obj, msg) => void (msg === 'user identifier skeletons computed' && infos.push(obj)),
    };
    db = await open(log);

    assert.deepEqual(await skeletons(wide.user_id), {
      email: 'wide@example.com',
      username: 'wide',
      email_skeleton: 'wide@exarnple.corn',
      username_skeleton: 'wide',
      skeleton_version: SKELETON_VERSION,
    });
    assert.equal((await db.users.findForLogin(tenant.id, 'wide@example.com'))?.user.user_id, wide.user_id);
    // jeff and his Cyrillic twin share both skeletons: one of them (in no set order) keeps them.
    const [a, b] = [await skeletons(jeff.user_id), await skeletons(twin.user_id)];
    const [holder, other] = a?.email_skeleton === null ? [twin, jeff] : [jeff, twin];
    assert.equal((await skeletons(holder.user_id))?.email_skeleton, 'jeff.x@exarnple.corn');
    assert.equal((await skeletons(holder.user_id))?.username_skeleton, 'jeff_x');
    assert.equal((await skeletons(other.user_id))?.email_skeleton, null);
    assert.equal((await skeletons(other.user_id))?.username_skeleton, null);
    assert.equal(a?.skeleton_version, SKELETON_VERSION);
    assert.equal(b?.skeleton_version, SKELETON_VERSION);
    // The fullwidth duplicate cannot take jeff's normalized email: it stays as it was.
    assert.deepEqual(await skeletons(dupe.user_id), {
      email: FULLWIDTH,
      username: null,
      email_skeleton: null,
      username_skeleton: null,
      skeleton_version: SKELETON_VERSION,
    });
    const warned = (user: string, identifier: string) => ({ tenant: tenant.id, user, identifier });
    assert.deepEqual(
      warnings.map((w) => JSON.stringify(w)).sort(),
      [warned(other.user_id, 'email'), warned(other.user_id, 'username'), warned(dupe.user_id, 'email')]
        .map((w) => JSON.stringify(w))
        .sort(),
    );
    assert.equal(infos.length, 1);
    assert.deepEqual(
      { ...(infos[0] as object), durationMs: 0 },
      { updated: 4, collisions: 3, durationMs: 0 },
    );
    // A new look-alike is refused whichever of the two holds the skeleton.
    await assert.rejects(db.users.create(tenant.id, { email: LIGATURE }), taken(EMAIL_TAKEN));
    await assert.rejects(
      db.users.create(tenant.id, { email: 'x@example.com', username: 'je\u{fb00}_x' }),
      taken(USERNAME_TAKEN),
    );
  });

  it('costs one query at boot when nothing is left to fill in', async () => {
    const queries: string[] = [];
    const counting: SqlConnection = {
      ...db.db.sql,
      query: (sql, params) => {
        queries.push(sql);
        return db.db.sql.query(sql, params);
      },
      session: () => assert.fail('no session when there is nothing to do'),
    };
    assert.deepEqual(await backfillSkeletons(counting, silentLogger), { updated: 0, collisions: 0 });
    assert.equal(queries.length, 1);
  });

  it('fills in every row exactly once when several processes boot together, in pages, look-alikes included', async () => {
    const tenant = await db.tenants.create({ name: 'many', domains: [] });
    const { id: connectionId } = await db.users.ensureDatabaseConnection(tenant.id);
    // 1,100 rows (more than one page) as an older release wrote them, with look-alike pairs among them.
    await db.db.sql.query(
      `INSERT INTO users (user_id, tenant_id, connection_id, email, email_normalized, username, updated_at)
       SELECT 'auth0|' || lpad(n::text, 6, '0'), $1, $2, e, e, NULL, now()
         FROM generate_series(1, 1100) AS n,
              LATERAL (SELECT CASE WHEN n % 100 = 0 THEN 'u' || (n - 1) || '@ex' || chr(1072) || 'mple.com'
                                   ELSE 'u' || n || '@example.com' END AS e) AS v`,
      [tenant.id, connectionId],
    );
    const runs = await Promise.all([
      backfillSkeletons(db.db.sql, silentLogger),
      backfillSkeletons(db.db.sql, silentLogger),
    ]);
    assert.equal(runs[0].updated + runs[1].updated, 1100);
    assert.equal(runs[0].collisions + runs[1].collisions, 11);
    const [row] = await db.db.sql.query<{ pending: number; skeletons: number }>(
      `SELECT count(*) FILTER (WHERE skeleton_version < $2)::int AS pending,
              count(email_skeleton)::int AS skeletons FROM users WHERE tenant_id = $1`,
      [tenant.id, SKELETON_VERSION],
    );
    assert.deepEqual(row, { pending: 0, skeletons: 1089 });
  });
});
