import type { KoaContextWithOIDC } from 'oidc-provider';
import { endSession } from './end-session.ts';
import { clearSessionCookie } from './session-record.ts';

type LogoutSource = (ctx: KoaContextWithOIDC, form: string) => Promise<void>;

/**
 * Auth0's `/oidc/logout`: with an `id_token_hint` issued in this very browser session the session
 * ends at once, with no confirmation page, and the browser goes straight to the
 * post_logout_redirect_uri (with `state`) or the logged-out page; no script, no form. Otherwise (no
 * hint, or a valid hint of another session or user) `confirm` renders the confirmation page, as Auth0
 * prompts then (docs/security.md#27).
 *
 * oidc-provider calls a logoutSource only after it has checked everything but the session match: the
 * hint's signature, issuer and client (expiry ignored, as RP-Initiated Logout §2 asks), `client_id`
 * against the hint's audience, the post_logout_redirect_uri against the client's registered ones, and
 * that the browser has a logged-in session. An unverifiable hint never gets here (an error page).
 *
 * Skipping the confirmation forgoes its CSRF token; the hint stands in for it: only the app that holds
 * an ID token of this session (its `sid` and `sub`) can end it this way, which is what the
 * confirmation exists to make sure of.
 */
export function logoutAtOnceWithHint(confirm: LogoutSource): LogoutSource {
  return async (ctx, form) => {
    if (!hintNamesThisSession(ctx)) return confirm(ctx, form);
    await endSessionAndCookie(ctx);
    const { post_logout_redirect_uri: target, state } = ctx.oidc.params as Record<string, string | undefined>;
    const destination = new URL(target ?? ctx.oidc.urlFor('end_session_success'));
    if (target && state !== undefined) destination.searchParams.set('state', state);
    ctx.oidc.provider.emit('end_session.success', ctx);
    ctx.status = 303;
    ctx.redirect(destination.href);
  };
}

/** Whether the verified hint was issued for this browser's session: its user and that client's `sid`. */
function hintNamesThisSession(ctx: KoaContextWithOIDC): boolean {
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: Record<string, unknown> } | undefined;
  const { client, session } = ctx.oidc;
  if (!hint?.payload || !client || !session?.accountId) return false;
  const { aud, sub, sid } = hint.payload;
  return (
    aud === client.clientId &&
    sub === session.accountId &&
    typeof sid === 'string' &&
    sid === session.sidFor(client.clientId)
  );
}

/** Ends the session (end-session.ts) and clears its cookie as oidc-provider's confirmation step does. */
async function endSessionAndCookie(ctx: KoaContextWithOIDC): Promise<void> {
  await endSession(ctx.oidc.provider, ctx.oidc.session!);
  clearSessionCookie(ctx);
}
