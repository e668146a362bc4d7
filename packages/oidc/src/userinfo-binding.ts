import type Provider from 'oidc-provider';

/** Private claims (RFC 7519 §4.3) of a JWT access token that serves `/userinfo`. */
export const GRANT_CLAIM = 'tessera_grant';
export const SESSION_CLAIM = 'tessera_session';

interface IssuedAccessToken {
  grantId?: string;
  sessionUid?: string;
  expiresWithSession?: boolean;
}

/**
 * oidc-provider stores opaque access tokens and, at `/userinfo`, refuses one whose grant was revoked
 * (a replayed code, a revoked refresh token, logout) or whose session ended when it is bound to one.
 * It never stores a JWT access token, so there is nothing to look up by `jti`; instead the token
 * names its grant, and its session when it is bound to one (issued without `offline_access`), and
 * `/userinfo` checks both as oidc-provider does for opaque tokens (docs/security.md#46). Only tokens
 * that reach `/userinfo` carry them; APIs verifying the token offline may ignore them. Values an
 * action set under these names are replaced or removed, never trusted.
 */
export function nameGrantAndSession(token: IssuedAccessToken, payload: Record<string, unknown>): void {
  payload[GRANT_CLAIM] = token.grantId;
  if (token.expiresWithSession && token.sessionUid) payload[SESSION_CLAIM] = token.sessionUid;
  else delete payload[SESSION_CLAIM];
}

/**
 * Whether the grant a verified JWT access token names still stands for its user and client (lib/shared/
 * access_token.js of oidc-provider), and, for a session-bound token, whether that session is still the
 * user's and still holds this grant (checkSessionBinding there). A token without the grant claim (one
 * issued before it existed) is refused. One grant read (SQL) and, for a session-bound token, one
 * session read by uid (two KV gets), run together.
 */
export async function grantStillStands(
  provider: Provider,
  payload: Record<string, unknown>,
): Promise<boolean> {
  const { sub, client_id: clientId, [GRANT_CLAIM]: grantId, [SESSION_CLAIM]: sessionUid } = payload;
  if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof grantId !== 'string') return false;
  if (sessionUid !== undefined && typeof sessionUid !== 'string') return false;
  const [grant, session] = await Promise.all([
    provider.Grant.find(grantId),
    sessionUid === undefined ? undefined : provider.Session.findByUid(sessionUid),
  ]);
  if (!grant || grant.clientId !== clientId || grant.accountId !== sub) return false;
  if (sessionUid === undefined) return true;
  return session !== undefined && session.accountId === sub && session.grantIdFor(clientId) === grantId;
}
