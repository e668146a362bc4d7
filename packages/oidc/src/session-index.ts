import type { KvStore } from '@tessera/core';

/**
 * Per user, the uids of their sessions (`oidc:sessions-of:<user id>` in the tenant's KV), so the
 * Management API can list and end a user's sessions: the KV store has no secondary indexes.
 *
 * Each entry says until when its session may live (epoch ms), so a session saved again (every SSO
 * login, every interaction) costs one read and no write while its entry covers it; entries past
 * that time are pruned at the next write, and entries whose session is gone are dropped when read.
 * An entry marked `revoked` is a tombstone: an administrator ended the session, and a request that
 * still held it in memory must not store it again (the adapter checks before saving).
 */
export interface IndexEntry {
  until: number;
  revoked?: true;
}
export type SessionIndex = Record<string, IndexEntry>;

/** The tenant's index keys (`tenantKv` is the KV already scoped to the tenant). */
export const sessionIndexOf = (tenantKv: KvStore) => tenantKv.scoped('oidc:sessions-of:');

/** How often a compare-and-set is retried against concurrent writers before the request fails. */
const ATTEMPTS = 10;

export function parseIndex(raw: string | undefined | null): SessionIndex {
  if (!raw) return {};
  const parsed = JSON.parse(raw) as unknown;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as SessionIndex)
    : {};
}

/**
 * Records the session under its user before the session itself is stored, so no stored session is
 * ever missing from its user's list (a failure here fails the save). An entry that already covers
 * `needMs` (epoch ms: the end of the record about to be stored) is left as it is; otherwise it is
 * written to last until `untilMs` (>= `needMs`). Returns false when the session was revoked: the
 * caller then does not store it.
 */
export async function indexSession(
  index: KvStore,
  userId: string,
  uid: string,
  { needMs, untilMs }: { needMs: number; untilMs: number },
) {
  return update(index, userId, (entries) => {
    const entry = entries[uid];
    if (entry?.revoked) return { result: false };
    if (entry && entry.until >= needMs) return { result: true };
    return { result: true, next: { ...entries, [uid]: { until: Math.max(needMs, untilMs) } } };
  });
}

/**
 * Marks sessions revoked, each kept until its own end (`until`, epoch ms), as long as a request
 * could still hold it in memory.
 */
export async function markRevoked(
  index: KvStore,
  userId: string,
  sessions: readonly { uid: string; until: number }[],
): Promise<void> {
  await update(index, userId, (entries) => {
    if (sessions.every(({ uid }) => entries[uid]?.revoked)) return { result: undefined };
    const next = { ...entries };
    for (const { uid, until } of sessions) {
      next[uid] = { until: Math.max(until, next[uid]?.until ?? 0), revoked: true };
    }
    return { result: undefined, next };
  });
}

/** Drops entries whose session no longer exists; a lost race leaves them for the next read. */
export async function dropStale(index: KvStore, userId: string, raw: string | undefined, stale: string[]) {
  if (stale.length === 0) return;
  const entries = parseIndex(raw);
  for (const uid of stale) delete entries[uid];
  const left = prune(entries, Date.now());
  await index.compareAndSet(
    userId,
    raw ?? null,
    Object.keys(left).length === 0 ? null : JSON.stringify(left),
    lifetimeOf(left),
  );
}

type Step<R> = (entries: SessionIndex) => { result: R; next?: SessionIndex };

/** Read, decide, compare-and-set; retried while other writers change the index in between. */
async function update<R>(index: KvStore, userId: string, step: Step<R>): Promise<R> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const raw = (await index.get(userId)) ?? null;
    const { result, next } = step(parseIndex(raw));
    if (next === undefined) return result;
    const kept = prune(next, Date.now());
    if (await index.compareAndSet(userId, raw, JSON.stringify(kept), lifetimeOf(kept))) return result;
  }
  throw new Error(`could not update the session index of ${userId}: too much contention`);
}

/** Without the entries whose time has passed (their sessions have ended, revoked or not). */
function prune(entries: SessionIndex, now: number): SessionIndex {
  return Object.fromEntries(Object.entries(entries).filter(([, entry]) => entry.until > now));
}

/** The index lives as long as its longest entry. */
function lifetimeOf(entries: SessionIndex): number | undefined {
  const until = Math.max(0, ...Object.values(entries).map((entry) => entry.until));
  return until > Date.now() ? until - Date.now() : undefined;
}
