import { CURRENT_USER_SCOPES, managementAudience } from '@tessera/core';
import type { Storage, Tenant } from '@tessera/storage';
import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { ApiError } from './errors.ts';

/**
 * Who is calling: the machine client of a client-credentials token, or a user through an app (a
 * user's own token, Auth0's `*:current_user` scopes), and the scopes that count for that caller.
 */
export interface Caller {
  /** The machine client, or the app the user's token was issued to. */
  clientId: string;
  /** A user's token: the user (`sub`); its scopes act on this user only. Absent for a machine. */
  user?: string;
  /**
   * The token's scopes that count: for a user only the `*:current_user` ones, whatever else the
   * token carries (an action may add scopes); for a machine every other one (it has no current user).
   */
  scopes: ReadonlySet<string>;
  /** The token's `jti` (audit trail). */
  tokenId: string | undefined;
}

const CURRENT_USER: ReadonlySet<string> = new Set(CURRENT_USER_SCOPES);

/** Auth0's `*:current_user` scopes: they count in a user's own token only. */
export const isCurrentUserScope = (scope: string) => CURRENT_USER.has(scope);

/** What Auth0 appends to a client id to name it as a token's subject. */
const MACHINE_SUFFIX = '@clients';

const unauthorized = (message: string) => new ApiError(401, 'invalid_token', message);

/**
 * Verifies the bearer token of a Management API request (docs/security.md#39): a JWT signed by one of the
 * tenant's own published keys (so another tenant's token fails its signature), issued by the tenant,
 * for the tenant's Management API audience and unexpired. A client-credentials token (Auth0's
 * `sub: "<client_id>@clients"`, `gty: "client-credentials"`) is a machine caller; any other names a
 * user (`sub`) and the app (`client_id`/`azp`) it was issued to, and only its `*:current_user` scopes
 * count (docs/security.md#48), as in Auth0.
 * Keys are read per request, so a revoked key stops working at once.
 */
export async function authenticate(
  request: FastifyRequest,
  storage: Storage,
  tenant: Tenant,
  issuer: string,
): Promise<Caller> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw new ApiError(401, 'missing_authentication', 'Missing authentication');
  }
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Bad HTTP authentication header format');
  const keys = await storage.signingKeys.list(tenant.id);
  const jwks = createLocalJWKSet({
    keys: keys.flatMap((key) =>
      key.publicJwk ? [key.publicJwk as Parameters<typeof createLocalJWKSet>[0]['keys'][number]] : [],
    ),
  });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1]!, jwks, {
      issuer,
      audience: managementAudience(issuer),
      algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw unauthorized('Expired token received for JSON Web Token validation');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw unauthorized(`Bad audience: ${audienceOf(match[1]!)}`);
    }
    throw unauthorized('Invalid token');
  }
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : payload.azp;
  if (typeof payload.sub !== 'string' || payload.sub === '' || typeof clientId !== 'string') {
    throw unauthorized('Invalid token');
  }
  const user = isMachine(payload, clientId) ? undefined : payload.sub;
  // A user's id never has a machine's shape; a token that pairs one with another client is no caller.
  if (user?.endsWith(MACHINE_SUFFIX)) throw unauthorized('Invalid token');
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  const scopes = new Set(granted.filter((scope) => isCurrentUserScope(scope) === (user !== undefined)));
  return { clientId, ...(user === undefined ? {} : { user }), scopes, tokenId: payload.jti };
}

/**
 * A client-credentials token names its own client: `<client_id>@clients` with Auth0's `gty`, or,
 * from Tessera before it named machines as Auth0 does, the bare client id — still accepted so
 * tokens issued before an upgrade (and by a process not yet upgraded) work until they expire.
 */
function isMachine(payload: JWTPayload, clientId: string): boolean {
  if (payload.sub === `${clientId}${MACHINE_SUFFIX}`) return payload.gty === 'client-credentials';
  return payload.sub === clientId;
}

/** Auth0's 403 when none of the scopes a route accepts was granted. */
export function requireScope(caller: Caller, accepted: readonly string[]): void {
  if (accepted.some((scope) => caller.scopes.has(scope))) return;
  throw insufficientScope(accepted);
}

/**
 * A user's token acts on that user only (docs/security.md#48): naming another user, its
 * `*:current_user` scopes do not count, and the route needs the scopes a machine would (`others`).
 */
export function requireSelf(caller: Caller, userId: string, others: readonly string[]): void {
  if (caller.user !== undefined && caller.user !== userId) throw insufficientScope(others);
}

export const insufficientScope = (accepted: readonly string[]) =>
  new ApiError(403, 'insufficient_scope', `Insufficient scope, expected any of: ${accepted.join(',')}`);

function audienceOf(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return [payload.aud].flat().map(String).join(',').slice(0, 200);
  } catch {
    return '';
  }
}
