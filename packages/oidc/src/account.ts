import type { Storage, User } from '@tessera/storage';
import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import { endStaleSession, sessionAccountOf } from './stale-session.ts';

/** Standard claims per scope (OIDC Core §5.4); oidc-provider keeps only what the granted scopes allow. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub', 'amr'],
  profile: ['name', 'family_name', 'given_name', 'nickname', 'picture', 'updated_at', 'preferred_username'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
};

/** The OIDC claims of an Auth0-shaped user; `sub` is Auth0's `user_id` (`auth0|…`). */
export function userClaims(user: User): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub: user.user_id,
    name: user.name,
    given_name: user.given_name,
    family_name: user.family_name,
    nickname: user.nickname,
    picture: user.picture,
    updated_at: user.updated_at ? Math.floor(Date.parse(user.updated_at) / 1000) : undefined,
    preferred_username: user.username,
    email: user.email,
    email_verified: user.email_verified,
    phone_number: user.phone_number,
    phone_number_verified: user.phone_number ? user.phone_verified : undefined,
  };
  return Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined && value !== null),
  );
}

export function createFindAccount(storage: Storage, tenantId: string) {
  return async (ctx: KoaContextWithOIDC | undefined, sub: string): Promise<Account | undefined> => {
    const user = await storage.users.findById(tenantId, sub);
    if (!user || user.blocked) {
      // An authorization from a session whose user is gone or blocked ends that session (docs/security.md#47).
      if (sessionAccountOf(ctx) === sub) await endStaleSession(ctx!, user ? 'blocked' : 'deleted');
      return undefined;
    }
    // `user` rides along so later steps of the same request (the audit event) need not read it again.
    return { accountId: sub, user, claims: async () => ({ ...userClaims(user), sub }) };
  };
}
