import type { RefreshTokenFamily } from '@tessera/storage';
import { inexistent } from '../errors.ts';
import { ANY, arrayOf, BOOLEAN, object, STRING } from '../responses.ts';
import { DEVICE, deviceWire, isoDate } from './session-wire.ts';

/** Auth0's refresh-token object. `session_id` is null for a token issued outside a session. */
export const REFRESH_TOKEN = object({
  id: STRING,
  user_id: STRING,
  created_at: STRING,
  idle_expires_at: STRING,
  expires_at: STRING,
  device: DEVICE,
  client_id: STRING,
  session_id: ANY,
  rotating: BOOLEAN,
  resource_servers: arrayOf(object({ audience: STRING, scopes: STRING })),
  last_exchanged_at: STRING,
});

export const noSuchRefreshToken = () => inexistent('refresh_token', 'The refresh token does not exist.');

/**
 * A family on the wire: its id (never the token), Tessera's record of it where the token carries
 * one, else what oidc-provider keeps (a token issued before Tessera wrote it: its own issue and end).
 * Absent values are left out, as Auth0 does.
 */
export function refreshTokenWire(family: RefreshTokenFamily): Record<string, unknown> {
  const t = family.tessera;
  const createdAt = t?.createdAt ?? family.familyIssuedAt ?? family.issuedAt;
  const idleExpiresAt = t?.idleExpiresAt ?? family.expiresAt;
  const expiresAt = t?.expiresAt ?? family.expiresAt;
  const wire: Record<string, unknown> = {
    id: family.id,
    user_id: family.userId,
    created_at: createdAt === undefined ? undefined : isoDate(createdAt),
    idle_expires_at: idleExpiresAt === undefined ? undefined : isoDate(idleExpiresAt),
    expires_at: expiresAt === undefined ? undefined : isoDate(expiresAt),
    device: deviceWire(t?.device ?? {}),
    client_id: family.clientId,
    session_id: family.sessionId ?? null,
    rotating: t?.rotating,
    resource_servers:
      family.audience === undefined ? [] : [{ audience: family.audience, scopes: family.scope ?? '' }],
    last_exchanged_at: t?.lastExchangedAt === undefined ? undefined : isoDate(t.lastExchangedAt),
  };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined));
}
