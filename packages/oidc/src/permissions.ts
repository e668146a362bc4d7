import type { KoaContextWithOIDC } from 'oidc-provider';
import { grantExtras } from './grant-extras.ts';
import type { TenantLookups } from './tenant-lookups.ts';

/** Auth0's token dialects that add a `permissions` claim ("Add Permissions in the Access Token"). */
const AUTHZ_DIALECTS = new Set(['access_token_authz', 'rfc9068_profile_authz']);

/**
 * Extra access-token claims: the post-login trigger's claims, and Auth0's RBAC `permissions` when the
 * API enforces policies with an authz dialect — a user's permissions on that API through their roles,
 * or, for a machine token, the scopes of its client grant.
 */
export async function accessTokenClaims(
  lookups: TenantLookups,
  ctx: KoaContextWithOIDC,
  token: { kind?: string; accountId?: string; scope?: string; resourceServer?: { audience?: string } },
): Promise<Record<string, unknown> | undefined> {
  const fromTrigger = grantExtras.accessTokenClaims(ctx, token);
  const audience = token.resourceServer?.audience;
  if (!audience) return fromTrigger;
  const api = await lookups.api(audience);
  if (!api?.enforcePolicies || !AUTHZ_DIALECTS.has(api.tokenDialect)) return fromTrigger;
  const permissions =
    token.kind === 'AccessToken' && token.accountId
      ? await lookups.permissionsOf(token.accountId, audience)
      : String(token.scope ?? '')
          .split(' ')
          .filter(Boolean);
  return { ...fromTrigger, permissions };
}
