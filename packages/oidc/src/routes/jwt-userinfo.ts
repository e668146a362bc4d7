import type { Storage, Tenant } from '@tessera/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { CLAIMS_BY_SCOPE, userClaims } from '../account.ts';
import { grantStillStands } from '../userinfo-binding.ts';

/**
 * Auth0 issues one JWT access token for an API *and* `/userinfo` when a login asks for an audience
 * with `openid` (its `aud` is `[api, https://<domain>/userinfo]`), and apps call `/userinfo` with it.
 * oidc-provider refuses access tokens with an audience at userinfo, so such tokens are answered here:
 * signature against the tenant's published keys (those its provider was built with), issuer, the
 * userinfo audience and expiry are checked, then, as oidc-provider does for its stored opaque tokens,
 * that the grant (and the session of a session-bound token) still stands (docs/security.md#46), and
 * only the claims of the granted OIDC scopes are returned (OIDC Core §5.3).
 */
export async function answerJwtUserinfo(
  storage: Storage,
  tenant: Tenant,
  provider: Provider,
  jwks: ReturnType<typeof createLocalJWKSet>,
  token: string,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { issuer } = provider;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks, { issuer, audience: `${issuer}userinfo`, typ: 'at+jwt' }));
  } catch {
    return refuse(reply);
  }
  const [user, granted] = await Promise.all([
    payload.sub ? storage.users.findById(tenant.id, payload.sub) : undefined,
    grantStillStands(provider, payload),
  ]);
  if (!user || user.blocked || !granted) return refuse(reply);
  const scopes = String(payload.scope ?? '').split(' ');
  const allowed = new Set(
    scopes.flatMap((scope) => CLAIMS_BY_SCOPE[scope as keyof typeof CLAIMS_BY_SCOPE] ?? []),
  );
  const claims = Object.fromEntries(Object.entries(userClaims(user)).filter(([name]) => allowed.has(name)));
  return reply.header('cache-control', 'no-store').send({ ...claims, sub: user.user_id });
}

/** RFC 6750 §3.1: the same answer for every refused token, whatever the reason. */
function refuse(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header(
      'www-authenticate',
      'Bearer realm="userinfo", error="invalid_token", error_description="invalid token provided"',
    )
    .send({ error: 'invalid_token', error_description: 'invalid token provided' });
}

/** The bearer token of a userinfo request when it is a JWT (three segments), else undefined. */
export function jwtBearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  return token && token.split('.').length === 3 ? token : undefined;
}
