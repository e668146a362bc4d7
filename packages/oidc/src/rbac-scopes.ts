import type { ResourceServer } from '@tessera/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { TenantLookups } from './tenant-lookups.ts';

/**
 * A user's permissions on an API, read at most once per request: the token endpoint decides the scope
 * and then the `permissions` claim of the same token from one read. Never kept across requests, so a
 * role change reaches the very next token (tenant-lookups.ts).
 */
const perRequest = new WeakMap<object, Map<string, Promise<string[]>>>();

export function permissionsFor(
  lookups: TenantLookups,
  ctx: KoaContextWithOIDC | undefined,
  userId: string,
  audience: string,
): Promise<string[]> {
  if (!ctx) return lookups.permissionsOf(userId, audience);
  const reads = perRequest.get(ctx) ?? new Map<string, Promise<string[]>>();
  perRequest.set(ctx, reads);
  const key = JSON.stringify([userId, audience]);
  let read = reads.get(key);
  if (!read) {
    read = lookups.permissionsOf(userId, audience);
    reads.set(key, read);
    // A failed read must fail this request only, never be remembered as the answer.
    read.catch(() => reads.delete(key));
  }
  return read;
}

/**
 * The user a request asks a token for: the account the token endpoint loaded before it resolves the
 * API (oidc-provider's code and refresh grants, and any grant that sets `ctx.oidc.entity('Account')`
 * first), else the session's user at `/authorize` and its resume, where the grant is recorded.
 */
export function requestAccountId(ctx: KoaContextWithOIDC): string | undefined {
  const account = ctx.oidc.entities.Account as { accountId?: string } | undefined;
  return account?.accountId ?? ctx.oidc.session?.accountId ?? undefined;
}

/**
 * Auth0 RBAC ("Enable RBAC" on an API, docs/oidc.md#behaviour): the API scopes a user's
 * token may carry are the requested ones the user holds as permissions through roles, whether or not
 * the `permissions` claim is added. Applied when the grant is recorded (so a refresh never widens it)
 * and again at every token issue (so a permission taken away drops at the next refresh). Without a
 * known user nothing of an RBAC API is allowed: fail closed. Scopes a post-login action adds are
 * applied later (trigger-scopes.ts) and override this, as Auth0 documents.
 *
 * Exported for grants that issue user tokens outside oidc-provider's own (the password grant).
 */
export async function rbacScopes(
  lookups: TenantLookups,
  ctx: KoaContextWithOIDC,
  api: Pick<ResourceServer, 'identifier' | 'enforcePolicies'>,
  scopes: readonly string[],
  accountId: string | undefined = requestAccountId(ctx),
): Promise<string[]> {
  if (!api.enforcePolicies) return [...scopes];
  if (!accountId) return [];
  const held = new Set(await permissionsFor(lookups, ctx, accountId, api.identifier));
  return scopes.filter((scope) => held.has(scope));
}
