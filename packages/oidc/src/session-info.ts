import type { SessionInfo } from '@tessera/core';
import type { AdapterPayload } from 'oidc-provider';

/** A signed-in session's payload as oidc-provider stores it, with the `tessera` member Tessera adds. */
export interface StoredSession extends AdapterPayload {
  jti: string;
  uid: string;
  accountId: string;
}

/**
 * Auth0's session fields from the payload: Tessera's own record of the session (`tessera`) where it
 * is stored, else what oidc-provider keeps (a session saved before Tessera wrote it).
 */
export function toInfo(session: StoredSession): SessionInfo {
  const t = (session.tessera ?? {}) as Record<string, unknown>;
  const loginTs = epoch(session.loginTs);
  const iat = epoch(session.iat) ?? loginTs ?? 0;
  const exp = epoch(session.exp) ?? iat;
  const methods = Array.isArray(t.methods)
    ? (t.methods as { name?: unknown; timestamp?: unknown }[]).flatMap((m) =>
        typeof m?.name === 'string' && epoch(m.timestamp) !== undefined
          ? [{ name: m.name, timestamp: epoch(m.timestamp)! }]
          : [],
      )
    : (Array.isArray(session.amr) ? session.amr : [])
        .filter((name): name is string => typeof name === 'string')
        .map((name) => ({ name, timestamp: loginTs ?? iat }));
  return {
    id: session.uid,
    userId: session.accountId,
    createdAt: epoch(t.createdAt) ?? loginTs ?? iat,
    updatedAt: epoch(t.updatedAt) ?? iat,
    authenticatedAt: epoch(t.authenticatedAt) ?? loginTs ?? iat,
    lastInteractedAt: epoch(t.lastInteractedAt) ?? iat,
    idleExpiresAt: epoch(t.idleExpiresAt) ?? exp,
    expiresAt: epoch(t.expiresAt) ?? exp,
    device: strings(t.device, [
      'initialIp',
      'initialUserAgent',
      'initialAsn',
      'lastIp',
      'lastUserAgent',
      'lastAsn',
    ]),
    clientIds: Object.keys((session.authorizations ?? {}) as object),
    methods,
    persistent: session.transient !== true,
    metadata: strings(t.metadata),
  };
}

const epoch = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The string members of a stored object (all of them, or those named). */
function strings(value: unknown, names?: string[]): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      ([name, item]) => typeof item === 'string' && (names === undefined || names.includes(name)),
    ),
  );
}
