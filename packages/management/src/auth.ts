import { managementAudience } from '@tessera/core';
import type { Storage, Tenant } from '@tessera/storage';
import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { ApiError } from './errors.ts';

/** Who is calling: the machine client of a client-credentials token and the scopes it was granted. */
export interface Caller {
  clientId: string;
  scopes: ReadonlySet<string>;
  /** The token's `jti` (audit trail). */
  tokenId: string | undefined;
}

const unauthorized = (message: string) => new ApiError(401, 'invalid_token', message);

/**
 * Verifies the bearer token of a Management API request (SECURITY.md 39): a JWT signed by one of the
 * tenant's own published keys (so another tenant's token fails its signature), issued by the tenant,
 * for the tenant's Management API audience, unexpired, and issued through client credentials (`sub`
 * is the client itself: a user's token for this audience is refused, since Auth0 gives users only
 * `*:current_user` scopes here). Keys are read per request, so a revoked key stops working at once.
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
  if (typeof payload.sub !== 'string' || typeof clientId !== 'string' || payload.sub !== clientId) {
    throw unauthorized('Invalid token');
  }
  const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []);
  return { clientId, scopes, tokenId: payload.jti };
}

/** Auth0's 403 when none of the scopes a route accepts was granted. */
export function requireScope(caller: Caller, accepted: readonly string[]): void {
  if (accepted.some((scope) => caller.scopes.has(scope))) return;
  throw new ApiError(403, 'insufficient_scope', `Insufficient scope, expected any of: ${accepted.join(',')}`);
}

function audienceOf(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return [payload.aud].flat().map(String).join(',').slice(0, 200);
  } catch {
    return '';
  }
}
