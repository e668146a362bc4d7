import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { revokeGrant } from './grant-revocation.ts';
import { clearSessionCookie } from './session-record.ts';

/** oidc-provider's routes that authorize from the browser's session: `/authorize` and its resume step. */
const SESSION_ROUTES = new Set(['authorization', 'resume']);

/** What makes a session a login; removed so the rest of the request sees a browser without one. */
const LOGIN_FIELDS = ['accountId', 'loginTs', 'amr', 'acr', 'authorizations', 'transient'] as const;

/** The account of the browser's session, when this request authorizes from that session. */
export function sessionAccountOf(ctx: KoaContextWithOIDC | undefined): string | undefined {
  if (!ctx?.oidc || !SESSION_ROUTES.has(ctx.oidc.route)) return undefined;
  return ctx.oidc.session?.accountId;
}

/**
 * docs/security.md#47: the session's user was blocked or deleted after it logged in. oidc-provider
 * would go on with no account and fail (500) on every authorization until the session expired.
 * Instead the session ends as a logout ends it (its grants revoked except offline ones, the record
 * destroyed, the cookie cleared), and the rest of this request sees a browser without a session:
 * a deleted user's browser gets the login page (`login_required` with `prompt=none`). A blocked
 * user's app hears `access_denied` / "user is blocked" at its redirect_uri (RFC 6749 §4.1.2.1's code
 * for a refusal; Auth0 answers the non-standard `unauthorized`, which apps treat alike), also with
 * `prompt=none`; with `prompt=login` the request asks for a new login anyway, so the login page is
 * shown (another person may be at this browser).
 *
 * It costs nothing on a live session: findAccount reads the user in any case.
 */
export async function endStaleSession(ctx: KoaContextWithOIDC, reason: 'blocked' | 'deleted'): Promise<void> {
  const { oidc } = ctx;
  const session = oidc.session!;
  for (const authorization of Object.values(session.authorizations ?? {})) {
    const { grantId, persistsLogout } = authorization as { grantId?: string; persistsLogout?: boolean };
    if (grantId && !persistsLogout) await revokeGrant(oidc.provider, grantId);
  }
  await session.destroy();
  clearSessionCookie(ctx);
  for (const field of LOGIN_FIELDS) Reflect.deleteProperty(session, field);
  if (reason === 'blocked' && !(oidc.route === 'authorization' && oidc.prompts.has('login'))) {
    throw new errors.AccessDenied('user is blocked');
  }
}
