import type { Storage, Tenant } from '@tessera/storage';
import type { FastifyReply } from 'fastify';
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
    return refuse(reply, issuer);
  }
  const [user, granted] = await Promise.all([
    payload.sub ? storage.users.findById(tenant.id, payload.sub) : undefined,
    grantStillStands(provider, payload),
  ]);
  if (!user || user.blocked || !granted) return refuse(reply, issuer);
  const scopes = String(payload.scope ?? '').split(' ');
  const allowed = new Set(
    scopes.flatMap((scope) => CLAIMS_BY_SCOPE[scope as keyof typeof CLAIMS_BY_SCOPE] ?? []),
  );
  const claims = Object.fromEntries(Object.entries(userClaims(user)).filter(([name]) => allowed.has(name)));
  return reply.header('cache-control', 'no-store').send({ ...claims, sub: user.user_id });
}

/**
 * RFC 6750 §3.1: the same answer for every refused token, whatever the reason, and the one oidc-provider
 * gives for its opaque tokens (realm = the issuer), so a client cannot tell which side refused it.
 */
function refuse(reply: FastifyReply, issuer: string): FastifyReply {
  return reply
    .code(401)
    .header('cache-control', 'no-store')
    .header(
      'www-authenticate',
      `Bearer realm="${issuer}", error="invalid_token", error_description="invalid token provided"`,
    )
    .send({ error: 'invalid_token', error_description: 'invalid token provided' });
}
