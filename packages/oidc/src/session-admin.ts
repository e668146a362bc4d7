import type { KvStore, SessionAdmin } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { AdapterPayload } from 'oidc-provider';
import { createAdapterFactory } from './adapter.ts';
import { revokeGrantThrough } from './grant-revocation.ts';
import { dropStale, markRevoked, parseIndex, sessionIndexOf } from './session-index.ts';
import { type StoredSession, toInfo } from './session-info.ts';

export interface SessionAdminDeps {
  storage: Storage;
  /** The root KV store (not scoped to a tenant). */
  kv: KvStore;
}

/**
 * A request that loaded a session just before it was revoked may still try to save it: the
 * tombstone that refuses the save lasts at least this long, whatever the session's own end.
 */
const TOMBSTONE_MIN_MS = 10 * 60_000;

/**
 * The Management API's view of login sessions (Auth0's `/sessions`), read and ended where the
 * provider keeps them: the tenant's KV scope, through the same adapter (adapter.ts), and the per-user
 * index session-index.ts maintains. Ending a session removes its record (the cookie then names
 * nothing: the next authorization request asks for a login) and marks it revoked in the index;
 * with `refreshTokens`, the grants of its applications are revoked too, and everything issued under
 * them (grant-revocation.ts).
 */
export function createSessionAdmin(deps: SessionAdminDeps): SessionAdmin {
  const scope = (tenantId: string) => {
    // The scope providers.ts gives each tenant's adapter.
    const kv = deps.kv.scoped(`t:${tenantId}:`);
    const adapters = createAdapterFactory({
      tenantId,
      storage: deps.storage,
      kv,
      // Neither is used by the models read here (Session, and the grant-bound records revoked).
      inertClientSecret: '',
      revokeGrant: async () => {},
    });
    return {
      sessions: adapters('Session'),
      records: kv.scoped('oidc:Session:'),
      index: sessionIndexOf(kv),
      adapters,
    };
  };

  type Scope = ReturnType<typeof scope>;

  /** The stored session behind a uid, if it is a signed-in one. */
  const load = async (s: Scope, uid: string): Promise<StoredSession | undefined> => {
    const payload = (await s.sessions.findByUid(uid)) || undefined;
    return isSignedIn(payload, uid) ? payload : undefined;
  };

  const end = async (s: Scope, sessions: StoredSession[], refreshTokens: boolean) => {
    const userId = sessions[0]?.accountId;
    if (userId === undefined) return;
    const tombstones = sessions.map((session) => ({
      uid: session.uid,
      until: Math.max(Number(session.exp ?? 0) * 1000, Date.now() + TOMBSTONE_MIN_MS),
    }));
    // Marked first: a save that races the removal below is then refused by the adapter.
    await markRevoked(s.index, userId, tombstones);
    // The grants go before the sessions: a failure leaves the session there, so a retry finds it and
    // revokes the rest (the other way round it would answer 404 with the tokens still alive).
    if (refreshTokens) {
      const grants = new Set(sessions.flatMap(grantsOf));
      await Promise.all([...grants].map((grantId) => revokeGrantThrough(s.adapters, grantId)));
    }
    await Promise.all(
      sessions.flatMap((session) => [
        s.sessions.destroy(session.jti),
        s.records.delete(`uid:${session.uid}`),
      ]),
    );
  };

  const listStored = async (s: Scope, userId: string): Promise<StoredSession[]> => {
    const raw = await s.index.get(userId);
    const entries = parseIndex(raw);
    const uids = Object.keys(entries).filter((uid) => entries[uid]!.until > Date.now());
    const found = await Promise.all(uids.map((uid) => load(s, uid)));
    const live = found.filter((session): session is StoredSession => session?.accountId === userId);
    // A tombstone stays until its own end; any other entry without a session of this user is stale.
    const stale = uids.filter((uid, i) => found[i]?.accountId !== userId && !entries[uid]!.revoked);
    await dropStale(s.index, userId, raw, stale);
    return live.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  };

  return {
    async find(tenantId, sessionId) {
      const session = await load(scope(tenantId), sessionId);
      return session ? toInfo(session) : undefined;
    },
    async listByUser(tenantId, userId) {
      return (await listStored(scope(tenantId), userId)).map(toInfo);
    },
    async revoke(tenantId, sessionId, { refreshTokens }) {
      const s = scope(tenantId);
      const session = await load(s, sessionId);
      if (!session) return false;
      await end(s, [session], refreshTokens);
      return true;
    },
    async revokeByUser(tenantId, userId, { refreshTokens }) {
      const s = scope(tenantId);
      const sessions = await listStored(s, userId);
      await end(s, sessions, refreshTokens);
      return sessions.length;
    },
  };
}

function isSignedIn(payload: AdapterPayload | undefined, uid: string): payload is StoredSession {
  return (
    payload !== undefined &&
    payload.uid === uid &&
    typeof payload.jti === 'string' &&
    typeof payload.accountId === 'string'
  );
}

function grantsOf(session: StoredSession): string[] {
  const authorizations = (session.authorizations ?? {}) as Record<string, { grantId?: unknown }>;
  return Object.values(authorizations)
    .map((authorization) => authorization?.grantId)
    .filter((grantId): grantId is string => typeof grantId === 'string');
}
