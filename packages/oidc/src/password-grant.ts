import type { Logger, PostLoginPort } from '@tessera/core';
import type { Storage, Tenant, User } from '@tessera/storage';
import type { Account, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { userClaims } from './account.ts';
import type { AuditSource } from './audit-events.ts';
import { authenticate } from './password-grant/authenticate.ts';
import { type IssueDeps, issueTokens, resolveTarget } from './password-grant/issue-tokens.ts';
import { runPostLogin } from './password-grant/post-login.ts';
import { readPasswordRequest } from './password-grant/request.ts';
import { tokenError } from './password-grant/token-error.ts';
import { PASSWORD_GRANT, PASSWORD_GRANTS, PASSWORD_REALM_GRANT } from './password-grant-types.ts';
import { tenantSettings } from './tenant-settings.ts';
import type { Throttle } from './throttle.ts';

export interface PasswordGrantDeps extends IssueDeps {
  tenant: Tenant;
  storage: Storage;
  throttle: Throttle;
  postLogin: PostLoginPort;
  log: Logger;
}

/** What the grant reads besides the credentials (RFC 6749 §4.3.2, Auth0's `audience`). */
const PARAMETERS = ['username', 'password', 'scope', 'audience'];

/**
 * Auth0's Resource Owner Password grant (docs/oidc.md#behaviour): `password` and Auth0's
 * `password-realm` extension, for the clients whose `grant_types` open them (client-metadata.ts).
 * The steps, in order:
 * 1. read the request and the connection (request.ts);
 * 2. check the password, with the login page's brute-force protection (authenticate.ts);
 * 3. resolve the API (issue-tokens.ts), record the login, run the post-login trigger (post-login.ts);
 * 4. record a grant and issue the tokens (issue-tokens.ts).
 * oidc-provider has authenticated the client and checked the grant type by then (lib/actions/token.js);
 * a client without it gets Auth0's 403 `unauthorized_client`.
 */
export function installPasswordGrant(provider: Provider, deps: PasswordGrantDeps) {
  const audit = (ctx: KoaContextWithOIDC): AuditSource => ({
    tenantId: deps.tenant.id,
    log: deps.log,
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || undefined,
  });
  const actionSettings = tenantSettings(deps.tenant).actions;

  const exchange = (realmGrant: boolean) => async (ctx: KoaContextWithOIDC) => {
    const tenantId = deps.tenant.id;
    const request = readPasswordRequest(ctx.oidc.params ?? {}, deps.tenant, realmGrant);
    const authenticated = await authenticate(ctx, { ...deps, audit }, deps.tenant, request);
    const account = accountOf(authenticated);
    ctx.oidc.entity('Account', account);
    const target = await resolveTarget(ctx, deps);
    const user = await deps.storage.users.recordLogin(tenantId, authenticated.user_id, {
      ip: ctx.ip,
      at: new Date(),
    });
    const extras = await runPostLogin(
      ctx,
      { postLogin: deps.postLogin, actionSettings },
      { tenantId, user, scopes: request.scopes ?? [], audience: target.audience },
    );
    ctx.body = await issueTokens(ctx, deps, { account, scopes: request.scopes, target, extras });
  };

  provider.registerGrantType(PASSWORD_GRANT, exchange(false), PARAMETERS);
  provider.registerGrantType(PASSWORD_REALM_GRANT, exchange(true), [...PARAMETERS, 'realm']);

  // oidc-provider refuses a grant type the client lacks with 400 `invalid_request`; Auth0 answers the
  // password grants with 403 `unauthorized_client`, which its SDKs and apps expect.
  const allowed = provider.Client.prototype.grantTypeAllowed;
  provider.Client.prototype.grantTypeAllowed = function grantTypeAllowedAsAuth0(type: string) {
    if (allowed.call(this, type)) return true;
    if (PASSWORD_GRANTS.has(type))
      throw tokenError(403, 'unauthorized_client', `Grant type '${type}' not allowed for the client.`);
    return false;
  };
}

/** The account oidc-provider's findAccount would load (account.ts), from the user just authenticated. */
function accountOf(user: User): Account & { user: User } {
  return {
    accountId: user.user_id,
    user,
    claims: async () => ({ ...userClaims(user), sub: user.user_id }),
  };
}
