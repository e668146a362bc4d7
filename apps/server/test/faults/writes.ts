import { setTimeout as sleep } from 'node:timers/promises';
import { DATABASE_CONNECTION, type Storage } from '@tessera/storage';
import type { Upstream } from '../cluster.ts';
import { type Load, other, PAUSE_MS } from './clients.ts';
import { RequestFailed } from './recorder.ts';

/**
 * Management API writes under faults, and their read-back from the database: an acknowledged write
 * is there and whole; an unanswered one (5xx, no answer) is either whole or absent, never half
 * (a user without its password credential or identity, a PATCH with one of its two keys).
 */

/** A `POST /users`: app_metadata `{ writer, n }`, user_metadata `{ note: "note <n>" }`. */
export interface CreatedUser {
  writer: number;
  n: number;
  email: string;
  userId: string | undefined;
  acknowledged: boolean;
}

/** A `PATCH /users/{id}` of two app_metadata keys in one request. */
export interface MetadataPatch {
  userId: string;
  fields: Record<string, string>;
  acknowledged: boolean;
}

export interface Writes {
  created: CreatedUser[];
  patches: MetadataPatch[];
}

/** Creates users and patches the app_metadata of those it created, alternating processes. */
export async function managementClient(load: Load, writes: Writes, writer: number, token: string) {
  let via: Upstream = writer % 2 === 0 ? 'a' : 'b';
  for (let n = 1; !load.stopping; n++) {
    const mine = writes.created.filter((user) => user.writer === writer && user.acknowledged);
    if (n % 2 === 1 || mine.length === 0) {
      const email = `writer${writer}-${n}@example.com`;
      const answer = await call(load, via, token, 'POST', '/users', {
        connection: DATABASE_CONNECTION,
        email,
        password: `Fault suite password ${n}!`,
        app_metadata: { writer, n },
        user_metadata: { note: `note ${n}` },
      });
      if (!answer.settled || answer.status === 201)
        writes.created.push({ writer, n, email, userId: answer.body?.user_id, acknowledged: answer.settled });
    } else {
      const userId = mine[n % mine.length]!.userId!;
      const fields = { [`p${writer}_${n}`]: `v${n}`, [`q${writer}_${n}`]: `w${n}` };
      const answer = await call(load, via, token, 'PATCH', `/users/${userId}`, { app_metadata: fields });
      if (!answer.settled || answer.status === 200)
        writes.patches.push({ userId, fields, acknowledged: answer.settled });
    }
    via = other(via);
    await sleep(PAUSE_MS);
  }
}

/**
 * One Management API request. `settled` false: no answer or 5xx, so the write may or may not have
 * happened. A 4xx is noted as unexpected, and the write is not counted.
 */
async function call(load: Load, via: Upstream, token: string, method: string, path: string, body: unknown) {
  const label = `${method} /api/v2${path.replace(/^\/users\/.+/, '/users/{id}')}`;
  try {
    const response = await load.recorder.send(via, label, (signal) =>
      load.cluster.fetch(via, `${load.cluster.issuer}api/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      }),
    );
    if (response.status >= 500) return { settled: false, status: response.status, body: undefined };
    const text = await response.text();
    if (response.status >= 400) load.recorder.noteUnexpected(`${label}: ${response.status} ${text}`);
    const json = response.status < 300 ? (JSON.parse(text) as { user_id?: string }) : undefined;
    return { settled: true, status: response.status, body: json };
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error;
    return { settled: false, status: undefined, body: undefined };
  }
}

interface UserRow {
  user_id: string;
  email: string | null;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  has_password: boolean;
  identities: number;
}

/** What the database holds against what was written; each problem in one line (none: all is well). */
export async function readBack(storage: Storage, tenantId: string, writes: Writes): Promise<string[]> {
  const rows = await storage.db.sql.query<UserRow>(
    `SELECT u.user_id, u.email, u.app_metadata, u.user_metadata,
            EXISTS (SELECT 1 FROM password_credentials p
                     WHERE p.tenant_id = u.tenant_id AND p.user_id = u.user_id) AS has_password,
            (SELECT count(*)::int FROM identities i
              WHERE i.tenant_id = u.tenant_id AND i.user_id = u.user_id) AS identities
       FROM users u WHERE u.tenant_id = $1`,
    [tenantId],
  );
  const problems: string[] = [];
  for (const row of rows)
    if (!row.has_password || row.identities !== 1)
      problems.push(
        `user ${row.email} is half-written: password credential ${row.has_password}, identities ${row.identities}`,
      );
  const byEmail = new Map(rows.map((row) => [row.email, row]));
  const byId = new Map(rows.map((row) => [row.user_id, row]));
  for (const user of writes.created) {
    const row = byEmail.get(user.email);
    const whole =
      row?.app_metadata.writer === user.writer &&
      row.app_metadata.n === user.n &&
      row.user_metadata.note === `note ${user.n}`;
    if (user.acknowledged && !row) problems.push(`acknowledged user ${user.email} is missing`);
    else if (row && !whole)
      problems.push(`user ${user.email} lacks what was created with it: ${JSON.stringify(row)}`);
  }
  for (const patch of writes.patches) {
    const metadata = byId.get(patch.userId)?.app_metadata ?? {};
    const kept = Object.entries(patch.fields).filter(([key, value]) => metadata[key] === value).length;
    const all = Object.keys(patch.fields).length;
    if (patch.acknowledged && kept !== all)
      problems.push(`acknowledged PATCH of ${patch.userId} kept ${kept} of ${all} keys`);
    else if (kept !== 0 && kept !== all)
      problems.push(`unanswered PATCH of ${patch.userId} half-applied (${kept} of ${all} keys)`);
  }
  return problems;
}
