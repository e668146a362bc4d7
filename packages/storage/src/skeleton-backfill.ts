import type { Logger } from '@tessera/core';
import type { SqlConnection } from './database.ts';
import { LOCKS, withAdvisoryLock } from './locks.ts';
import { normalizeEmail, normalizeUsername } from './repositories/user-input.ts';
import { emailSkeleton, SKELETON_VERSION, skeleton } from './skeleton.ts';

// SQL cannot compute a UTS #39 skeleton, so users written before the skeleton columns existed (or
// under an older SKELETON_VERSION) get theirs here, at boot, before the process serves
// (docs/security.md#49). Their identifiers are brought to today's normalized form at the same time,
// so a login typed as `ｊｅｆｆ@…` finds an account stored before NFKC applied.

const BATCH = 500;

interface Row {
  tenant_id: string;
  user_id: string;
  email: string | null;
  email_normalized: string | null;
  username: string | null;
}

interface Counts {
  updated: number;
  /** Identifiers left without a skeleton: they look like another user's. */
  collisions: number;
}

/** One row's new columns; a part set to `keep` stays as it is, without a skeleton. */
interface Fill {
  row: Row;
  email: 'new' | 'keep';
  username: 'new' | 'keep';
}

export async function backfillSkeletons(sql: SqlConnection, log: Logger): Promise<Counts> {
  // The usual boot: nothing to do, one query on an index.
  const pending = await sql.query('SELECT 1 FROM users WHERE skeleton_version < $1 LIMIT 1', [
    SKELETON_VERSION,
  ]);
  if (pending.length === 0) return { updated: 0, collisions: 0 };
  // Processes booting together take turns; the later ones find nothing left.
  return withAdvisoryLock(sql, LOCKS.skeletonBackfill, async (conn) => {
    const started = Date.now();
    const result: Counts = { updated: 0, collisions: 0 };
    // Keyset pages: a row that changed under us (and so was not updated) is passed over, not re-read forever.
    let after = { tenant: '', user: '' };
    for (;;) {
      const rows = await conn.query<Row>(
        `SELECT tenant_id, user_id, email, email_normalized, username FROM users
          WHERE skeleton_version < $1 AND (tenant_id, user_id) > ($2, $3)
          ORDER BY tenant_id, user_id LIMIT $4`,
        [SKELETON_VERSION, after.tenant, after.user, BATCH],
      );
      const last = rows.at(-1);
      if (!last) break;
      await fillPage(conn, rows, result, log);
      after = { tenant: last.tenant_id, user: last.user_id };
    }
    log.info({ ...result, durationMs: Date.now() - started }, 'user identifier skeletons computed');
    return result;
  });
}

/** Rows in one statement; where a unique index refuses it (a look-alike among them), each half alone. */
async function fillPage(conn: SqlConnection, rows: Row[], result: Counts, log: Logger): Promise<void> {
  const [first] = rows;
  if (!first) return;
  if (
    await tryUpdate(
      conn,
      rows.map((row): Fill => ({ row, email: 'new', username: 'new' })),
    )
  ) {
    result.updated += rows.length;
  } else if (rows.length === 1) {
    await fillAlone(conn, first, result, log);
  } else {
    const half = Math.ceil(rows.length / 2);
    await fillPage(conn, rows.slice(0, half), result, log);
    await fillPage(conn, rows.slice(half), result, log);
  }
}

/**
 * A row a unique index refused: its identifiers tried one at a time. Data written before this check
 * may hold look-alikes (or NFKC duplicates) already: whichever of two is reached second keeps that
 * identifier as it was, without a skeleton, and is logged for an administrator; the other's skeleton
 * keeps any new look-alike out all the same.
 */
async function fillAlone(conn: SqlConnection, row: Row, result: Counts, log: Logger): Promise<void> {
  const attempts: Fill[] = [
    { row, email: 'keep', username: 'new' },
    { row, email: 'new', username: 'keep' },
    { row, email: 'keep', username: 'keep' },
  ];
  for (const fill of attempts) {
    if (!(await tryUpdate(conn, [fill]))) continue;
    result.updated += 1;
    for (const part of ['email', 'username'] as const) {
      if (fill[part] !== 'keep' || row[part] === null) continue;
      result.collisions += 1;
      log.warn(
        { tenant: row.tenant_id, user: row.user_id, identifier: part },
        'user identifier looks like another user’s of the same connection: left without a skeleton',
      );
    }
    return;
  }
}

/** False when a unique index refused the change (a look-alike); the rows are then unchanged. */
async function tryUpdate(conn: SqlConnection, fills: Fill[]): Promise<boolean> {
  const columns = fills.map(({ row, email, username }) => {
    const newEmail = row.email === null ? null : normalizeEmail(row.email);
    const newUsername = row.username === null ? null : normalizeUsername(row.username);
    return [
      row.tenant_id,
      row.user_id,
      row.email,
      row.username,
      email === 'new' ? newEmail : row.email,
      email === 'new' ? newEmail : row.email_normalized,
      email === 'new' && newEmail !== null ? emailSkeleton(newEmail) : null,
      username === 'new' ? newUsername : row.username,
      username === 'new' && newUsername !== null ? skeleton(newUsername) : null,
    ];
  });
  const arrays = columns[0]?.map((_, index) => columns.map((values) => values[index])) ?? [];
  try {
    // Only where the identifiers are still the ones read: an update made meanwhile (with its own
    // skeletons) is never overwritten with older values.
    await conn.query(
      `UPDATE users AS u SET email = v.email, email_normalized = v.email_normalized,
              email_skeleton = v.email_skeleton, username = v.username,
              username_skeleton = v.username_skeleton, skeleton_version = $1
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[])
           AS v(tenant_id, user_id, old_email, old_username, email, email_normalized, email_skeleton,
                username, username_skeleton)
        WHERE u.tenant_id = v.tenant_id AND u.user_id = v.user_id AND u.skeleton_version < $1
          AND u.email IS NOT DISTINCT FROM v.old_email AND u.username IS NOT DISTINCT FROM v.old_username`,
      [SKELETON_VERSION, ...arrays],
    );
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505') return false;
    throw error;
  }
}
