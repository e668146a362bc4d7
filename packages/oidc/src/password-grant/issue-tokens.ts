import type { User } from '@tessera/storage';
import type {
  Account,
  Configuration,
  KoaContextWithOIDC,
  Provider,
  ResourceServerInstance,
} from 'oidc-provider';
import type { GrantExtras } from '../grant-extras.ts';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

export interface IssueDeps {
  defaultResource: NonNullable<ResourceIndicators['defaultResource']>;
  getResourceServerInfo: NonNullable<ResourceIndicators['getResourceServerInfo']>;
  issueRefreshToken: NonNullable<Configuration['issueRefreshToken']>;
}

/** The scopes of the provider's configuration that concern the user's identity (not an API). */
const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'phone', 'address']);

const GTY = 'password';

/** The API of the access token, read before the trigger runs (the event names its audience). */
export interface Target {
  audience: string | undefined;
  server: ResourceServerInstance | undefined;
}

/**
 * The API the token is for: `audience`, or the tenant's default audience, through the same
 * `getResourceServerInfo` as every other grant (an unknown API, the Management API's user scopes,
 * RBAC narrowing: configuration.ts). The account must be on the context first: RBAC reads it there.
 */
export async function resolveTarget(ctx: KoaContextWithOIDC, deps: IssueDeps): Promise<Target> {
  const client = ctx.oidc.client!;
  const resolved = await deps.defaultResource(ctx, client);
  const audience = typeof resolved === 'string' && resolved !== '' ? resolved : undefined;
  if (audience === undefined) return { audience, server: undefined };
  const info = await deps.getResourceServerInfo(ctx, audience, client);
  return { audience, server: new ctx.oidc.provider.ResourceServer(audience, info) };
}

/**
 * The tokens of a password exchange, as oidc-provider's code grant issues them (lib/helpers/
 * grant_common.js), from a grant recorded for this exchange alone. The grant keeps what the
 * post-login trigger decided (`tessera`), so the ID token, the access token and every later refresh
 * carry the actions' claims and scope changes (grant-extras.ts, trigger-scopes.ts).
 *
 * Scopes: the OIDC scopes asked for; on the API, the asked-for scopes it defines, or, when the request
 * names no scope at all, every scope it allows (Auth0: "all scopes defined for the audience", the
 * implied trust of this grant), after RBAC. An ID token only with `openid`; a refresh token only with
 * `offline_access` and when the client may have one (public-refresh.ts). No session exists, so no
 * token is bound to one and the ID token has no `sid`.
 */
export async function issueTokens(
  ctx: KoaContextWithOIDC,
  deps: IssueDeps,
  input: {
    account: Account & { user: User };
    scopes: string[] | undefined;
    target: Target;
    extras: GrantExtras;
  },
): Promise<Record<string, unknown>> {
  const provider: Provider = ctx.oidc.provider;
  const client = ctx.oidc.client!;
  const { account, target } = input;
  const accountId = account.accountId;
  const asked = input.scopes ?? [];
  const oidcScopes = asked.filter((scope) => OIDC_SCOPES.has(scope));
  const apiScopes = target.server
    ? input.scopes === undefined
      ? [...target.server.scopes].filter((scope) => !OIDC_SCOPES.has(scope))
      : asked.filter((scope) => target.server!.scopes.has(scope))
    : [];
  const authTime = Math.floor(Date.now() / 1000);

  const grant = new provider.Grant({ clientId: client.clientId, accountId });
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  if (target.audience !== undefined) grant.addResourceScope(target.audience, apiScopes.join(' '));
  Object.assign(grant, { tessera: input.extras });
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);

  const at = new provider.AccessToken({ accountId, client, grantId, gty: GTY });
  if (target.server && target.audience !== undefined) {
    at.resourceServer = target.server;
    at.scope = grant.getResourceScopeFiltered(target.audience, apiScopes) || undefined;
  } else {
    at.scope = grant.getOIDCScopeFiltered(new Set(oidcScopes)) || undefined;
  }
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  // What a later refresh may ask for again: everything granted here (lib/actions/grants/refresh_token.js).
  const granted = [...oidcScopes, ...apiScopes.filter((scope) => !oidcScopes.includes(scope))].join(' ');
  let refreshToken: string | undefined;
  // What configuration.ts's issueRefreshToken reads of the code it is usually given: the scopes.
  const source = { scopes: new Set(oidcScopes), scope: granted };
  if (await deps.issueRefreshToken(ctx, client, source as never)) {
    const rt = new provider.RefreshToken({
      accountId,
      client,
      grantId,
      gty: GTY,
      scope: granted,
      amr: ['pwd'],
      authTime,
      rotations: 0,
      ...(target.audience === undefined ? {} : { resource: target.audience }),
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  let idToken: string | undefined;
  if (oidcScopes.includes('openid')) {
    const scope = grant.getOIDCScopeFiltered(new Set(oidcScopes));
    const token = new provider.IdToken(
      {
        ...(await account.claims('id_token', scope, {}, [])),
        sub: accountId,
        amr: ['pwd'],
        auth_time: authTime,
      },
      { ctx },
    );
    // Auth0's ID tokens always carry auth_time (what `require_auth_time` asks at /authorize).
    Object.assign(token, { scope, mask: { auth_time: { essential: true } }, rejected: [] });
    idToken = await token.issue({ use: 'idtoken' });
  }

  return Object.fromEntries(
    Object.entries({
      access_token: accessToken,
      expires_in: at.expiration,
      id_token: idToken,
      refresh_token: refreshToken,
      scope: at.scope,
      token_type: at.tokenType,
    }).filter(([, value]) => value !== undefined && value !== ''),
  );
}
