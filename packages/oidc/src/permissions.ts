import type { KoaContextWithOIDC } from 'oidc-provider';
import { grantExtras } from './grant-extras.ts';
import { machineTokenClaims } from './machine-token.ts';
import { permissionsFor } from './rbac-scopes.ts';
import type { TenantLookups } from './tenant-lookups.ts';

/** Auth0's token dialects that add a `permissions` claim ("Add Permissions in the Access Token"). */
const AUTHZ_DIALECTS = new Set(['access_token_authz', 'rfc9068_profile_authz']);

/**
 * Extra access-token claims: the post-login trigger's claims on a user's token, Auth0's `sub` and
 * `gty` on a machine's (machine-token.ts; kept with the stored token, so introspection answers them),
 * and Auth0's RBAC `permissions` when the API enforces policies with an authz dialect — a user's
 * permissions on that API through their roles, or, for a machine token, the scopes of its client grant.
 */
export async function accessTokenClaims(
  lookups: TenantLookups,
  ctx: KoaContextWithOIDC,
  token: {
    kind?: string;
    accountId?: string;
    clientId?: string;
    scope?: string;
    resourceServer?: { audience?: string };
  },
): Promise<Record<string, unknown> | undefined> {
  const base =
    token.kind === 'ClientCredentials' && token.clientId
      ? machineTokenClaims(token.clientId)
      : grantExtras.accessTokenClaims(ctx, token);
  const audience = token.resourceServer?.audience;
  if (!audience) return base;
  const api = await lookups.api(audience);
  if (!api?.enforcePolicies || !AUTHZ_DIALECTS.has(api.tokenDialect)) return base;
  const permissions =
    token.kind === 'AccessToken' && token.accountId
      ? await permissionsFor(lookups, ctx, token.accountId, audience)
      : String(token.scope ?? '')
          .split(' ')
          .filter(Boolean);
  return { ...base, permissions };
}
