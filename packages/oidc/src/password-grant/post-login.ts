import type { PostLoginPort } from '@tessera/core';
import type { User } from '@tessera/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { type GrantExtras, grantExtrasOf } from '../grant-extras.ts';
import type { TenantSettings } from '../tenant-settings.ts';
import { tokenRequestTransaction } from '../token-request.ts';
import { tokenError } from './token-error.ts';

/** The form fields an action may see in `event.request.body`: never the password or a client credential. */
const VISIBLE_FIELDS = ['grant_type', 'client_id', 'username', 'realm', 'audience', 'scope'];

/**
 * The post-login trigger for this exchange, with `event.transaction.protocol` `oauth2-resource-owner`
 * (so `api.redirect.canRedirect()` is false: a redirect, or a form, fails the action and the exchange).
 * A denial is Auth0's 403 with the action's reason; the trigger answers an MFA request of this
 * protocol with `mfa_required` (Tessera has no MFA API to finish it with, so no `mfa_token`). The
 * trigger has committed the run's metadata changes before answering, denial or not.
 */
export async function runPostLogin(
  ctx: KoaContextWithOIDC,
  deps: { postLogin: PostLoginPort; actionSettings: TenantSettings['actions'] },
  input: { tenantId: string; user: User; scopes: string[]; audience: string | undefined },
): Promise<GrantExtras> {
  const outcome = await deps.postLogin.run({
    tenantId: input.tenantId,
    userId: input.user.user_id,
    clientId: ctx.oidc.client!.clientId,
    protocol: 'oauth2-resource-owner',
    requestedScopes: input.scopes,
    audience: input.audience,
    redirectUri: undefined,
    ...tokenRequestTransaction(ctx, VISIBLE_FIELDS),
    authenticationMethods: [{ name: 'pwd', timestamp: new Date() }],
    login: { amr: ['pwd'] },
    actionSettings: deps.actionSettings,
  });
  if (outcome.kind === 'deny') throw tokenError(403, outcome.error, outcome.description);
  // Cannot happen (nothing can redirect without a browser); never issue tokens if it does.
  if (outcome.kind === 'redirect')
    throw tokenError(403, 'access_denied', 'a post-login action tried to redirect the user');
  return grantExtrasOf(outcome);
}
