import type { EventRefreshToken, EventSession, SessionDevice } from '../../types/post-login.d.ts';
import type { DeviceInput, RefreshTokenInput, SessionInput } from './build-event-input.ts';
import { iso, isoOrAbsent, list } from './values.ts';

function toDevice(device: DeviceInput | undefined): SessionDevice {
  return {
    initial_ip: device?.initialIp,
    initial_user_agent: device?.initialUserAgent,
    last_ip: device?.lastIp,
    last_user_agent: device?.lastUserAgent,
  };
}

/** `event.session`; `userId` is the user logging in unless the session says otherwise. */
export function toEventSession(session: SessionInput, userId: string): EventSession {
  return {
    id: session.id,
    user_id: session.userId ?? userId,
    created_at: iso(session.createdAt, 'session.createdAt'),
    updated_at: iso(session.updatedAt, 'session.updatedAt'),
    authenticated_at: iso(session.authenticatedAt, 'session.authenticatedAt'),
    last_interacted_at: iso(session.lastInteractedAt, 'session.lastInteractedAt'),
    idle_expires_at: isoOrAbsent(session.idleExpiresAt, 'session.idleExpiresAt'),
    expires_at: isoOrAbsent(session.expiresAt, 'session.expiresAt'),
    clients: (session.clients ?? []).map((clientId) => ({ client_id: clientId })),
    cookie: { mode: session.cookieMode ?? 'persistent' },
    metadata: session.metadata ?? {},
    device: toDevice(session.device),
  };
}

/** `event.refresh_token`; resource server scopes are space-separated, as Auth0 shows them. */
export function toEventRefreshToken(
  token: RefreshTokenInput,
  ids: { userId: string; clientId: string },
): EventRefreshToken {
  return {
    id: token.id,
    session_id: token.sessionId,
    user_id: token.userId ?? ids.userId,
    client_id: token.clientId ?? ids.clientId,
    rotating: token.rotating,
    resource_servers: (token.resourceServers ?? []).map((server) => ({
      audience: server.audience,
      scopes: list(server.scopes).join(' '),
    })),
    created_at: iso(token.createdAt, 'refreshToken.createdAt'),
    expires_at: isoOrAbsent(token.expiresAt, 'refreshToken.expiresAt'),
    idle_expires_at: isoOrAbsent(token.idleExpiresAt, 'refreshToken.idleExpiresAt'),
    last_exchanged_at: isoOrAbsent(token.lastExchangedAt, 'refreshToken.lastExchangedAt'),
    metadata: token.metadata ?? {},
    device: toDevice(token.device),
  };
}
