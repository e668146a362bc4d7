import { randomBytes } from 'node:crypto';
import type { SessionChanges, TransactionDevice, TransactionSession } from '@tessera/core';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { revokeGrant } from './grant-revocation.ts';
import { type StoredSession, toInfo } from './session-info.ts';
import type { TenantSettings } from './tenant-settings.ts';
import { requestDevice } from './token-request.ts';

/**
 * What Tessera keeps with each browser session besides oidc-provider's fields (the payload's
 * `tessera`): Auth0's session object (`event.session`, the Management API's `/sessions`) and what the
 * post-login actions set on it (docs/actions.md#session). Times are epoch seconds.
 */
export interface SessionRecord {
  createdAt: number;
  updatedAt: number;
  lastInteractedAt: number;
  /** The login this record's expiry counts from (a new login on the session starts it again). */
  authenticatedAt: number;
  /** The session ends then, however active: the tenant's `session_lifetime`, or an action's earlier end. */
  expiresAt: number;
  /** The session ends then unless used again (its record's expiry). */
  idleExpiresAt: number;
  device: TransactionDevice;
  metadata: Record<string, string>;
}

/** The parts of oidc-provider's Session this module reads and writes. */
export interface SessionLike {
  uid: string;
  accountId?: string;
  loginTs?: number;
  iat?: number;
  exp?: number;
  amr?: string[];
  transient?: boolean;
  authorizations?: Record<string, { grantId?: string; persistsLogout?: boolean }>;
  tessera?: SessionRecord;
  save(ttl: number): Promise<unknown>;
  destroy(): Promise<void>;
}

type Lifetimes = Pick<TenantSettings, 'sessionLifetimeSeconds' | 'idleSessionLifetimeSeconds'>;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const msToSeconds = (ms: number) => Math.floor(ms / 1000);

/** A session id for a login that will establish its session (oidc-provider's ids are url-safe, 21+ chars). */
export const newSessionId = () => randomBytes(16).toString('base64url');

/** What the actions of this request asked of the browser's session (applied at its save). */
const asked = new WeakMap<object, SessionChanges>();

/**
 * Takes the actions' `api.session.*` requests for the session this request saves: the cookie mode at
 * once, the metadata and the expiry requests at the save (`sessionTtl`), where the expiries can only
 * lower the session's ends.
 */
export function askSessionChanges(ctx: object, session: SessionLike, changes: SessionChanges | undefined) {
  if (changes === undefined) return;
  asked.set(ctx, changes);
  if (changes.cookieMode !== undefined) session.transient = changes.cookieMode === 'non-persistent';
}

/**
 * oidc-provider's `ttl.Session`, asked each time a session is saved (at login and at every later use
 * at /authorize), as Auth0's "Inactivity timeout" and "Require log in after" work: the idle lifetime
 * from now,
 * never past the session's end (the tenant's `session_lifetime` from the login, or an earlier end an
 * action set), nor past an action's idle request of this request. It also brings the session's record
 * up to date (times, device, a new login's fresh end); `interacted` is false when the save is not the
 * user's doing (a refresh exchange's changes), which leaves the last interaction and device as they were.
 */
export function sessionTtl(
  ctx: KoaContextWithOIDC | undefined,
  session: SessionLike,
  settings: Lifetimes,
  interacted = true,
): number {
  const now = nowSeconds();
  const loginTs = typeof session.loginTs === 'number' ? session.loginTs : now;
  const previous = session.tessera;
  const request = ctx ? asked.get(ctx) : undefined;
  // A new login on the session starts its absolute lifetime again; otherwise an earlier end stays.
  const lifetimeEnd = loginTs + settings.sessionLifetimeSeconds;
  let expiresAt =
    previous === undefined || previous.authenticatedAt !== loginTs
      ? lifetimeEnd
      : Math.min(previous.expiresAt, lifetimeEnd);
  if (request?.expiresAt !== undefined) expiresAt = Math.min(expiresAt, msToSeconds(request.expiresAt));
  // Only the user's use of the session restarts its idle lifetime.
  const idleFrom =
    interacted || previous === undefined ? now + settings.idleSessionLifetimeSeconds : previous.idleExpiresAt;
  let idleExpiresAt = Math.min(idleFrom, expiresAt);
  if (request?.idleExpiresAt !== undefined)
    idleExpiresAt = Math.min(idleExpiresAt, msToSeconds(request.idleExpiresAt));
  const here = interacted && ctx ? requestDevice(ctx) : {};
  const device: TransactionDevice = {
    ...previous?.device,
    ...(previous?.device?.initialIp === undefined && here.ip !== undefined ? { initialIp: here.ip } : {}),
    ...(previous?.device?.initialUserAgent === undefined && here.userAgent !== undefined
      ? { initialUserAgent: here.userAgent }
      : {}),
    ...(here.ip === undefined ? {} : { lastIp: here.ip }),
    ...(here.userAgent === undefined ? {} : { lastUserAgent: here.userAgent }),
  };
  session.tessera = {
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    lastInteractedAt: interacted ? now : (previous?.lastInteractedAt ?? now),
    authenticatedAt: loginTs,
    expiresAt,
    idleExpiresAt,
    device,
    metadata: request?.metadata ?? previous?.metadata ?? {},
  };
  return Math.max(1, idleExpiresAt - now);
}

const date = (seconds: number) => new Date(seconds * 1000);

/** `event.session` of a stored session: what the Management API shows of it (session-info.ts), as Dates. */
export function describeSession(session: SessionLike): TransactionSession {
  const info = toInfo(session as unknown as StoredSession);
  return {
    id: info.id,
    createdAt: date(info.createdAt),
    updatedAt: date(info.updatedAt),
    authenticatedAt: date(info.authenticatedAt),
    lastInteractedAt: date(info.lastInteractedAt),
    expiresAt: date(info.expiresAt),
    idleExpiresAt: date(info.idleExpiresAt),
    clients: info.clientIds,
    cookieMode: info.persistent ? 'persistent' : 'non-persistent',
    metadata: info.metadata,
    device: info.device,
  };
}

/**
 * `event.session` of a login through the login page when the browser has no session yet: the one the
 * login will establish, under `id` (grant-extras.ts gives the new session that id).
 */
export function plannedSession(
  id: string,
  clientId: string,
  request: { ip?: string; userAgent?: string },
  settings: Lifetimes,
): TransactionSession {
  const now = new Date();
  const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  return {
    id,
    createdAt: now,
    updatedAt: now,
    authenticatedAt: now,
    lastInteractedAt: now,
    expiresAt: after(settings.sessionLifetimeSeconds),
    idleExpiresAt: after(Math.min(settings.idleSessionLifetimeSeconds, settings.sessionLifetimeSeconds)),
    clients: [clientId],
    cookieMode: 'persistent',
    metadata: {},
    device: {
      ...(request.ip === undefined ? {} : { initialIp: request.ip, lastIp: request.ip }),
      ...(request.userAgent === undefined
        ? {}
        : { initialUserAgent: request.userAgent, lastUserAgent: request.userAgent }),
    },
  };
}

/**
 * `api.session.revoke`: the session ends, and with it, unless `preserveRefreshTokens`, every grant it
 * holds (its refresh tokens, offline ones included, and the access tokens issued under them).
 * Unlike a logout (end-session.ts), which keeps offline_access grants as Auth0 does.
 */
export async function revokeSession(
  provider: Provider,
  session: SessionLike,
  options: { preserveRefreshTokens: boolean },
): Promise<void> {
  if (!options.preserveRefreshTokens) {
    for (const authorization of Object.values(session.authorizations ?? {})) {
      if (authorization.grantId) await revokeGrant(provider, authorization.grantId);
    }
  }
  await session.destroy();
}

/** A session by its id (`uid`), as stored; undefined once it ended or expired. */
export const findSession = (provider: Provider, uid: string) =>
  provider.Session.findByUid(uid) as Promise<SessionLike | undefined>;

/** The session cookie as configuration.ts sets it (`cookies.long`), so the expired copy replaces it. */
const SESSION_COOKIE = { signed: true, httpOnly: true, sameSite: 'lax' } as const;

/** Clears the browser's session cookie (its signature cookie too) in this response. */
export function clearSessionCookie(ctx: KoaContextWithOIDC): void {
  ctx.cookies.set(ctx.oidc.provider.cookieName('session'), null, SESSION_COOKIE);
}
