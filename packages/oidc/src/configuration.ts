import {
  CURRENT_USER_SCOPES,
  type Logger,
  type LoginPages,
  managementAudience,
  type PostLoginPort,
} from '@tessera/core';
import type { SigningKey, Storage, Tenant } from '@tessera/storage';
import type {
  AdapterFactory,
  Configuration,
  KoaContextWithOIDC,
  ResourceServer as ProviderResourceServer,
} from 'oidc-provider';
import { errors, interactionPolicy } from 'oidc-provider';
import { CLAIMS_BY_SCOPE, createFindAccount } from './account.ts';
import { EXTRA_CLIENT_PROPERTIES } from './client-metadata.ts';
import { grantExtras, pendingRedirect } from './grant-extras.ts';
import { toCookieKeys, toJwks } from './keys.ts';
import { logoutAtOnceWithHint } from './logout-at-once.ts';
import { machineTokenClaims } from './machine-token.ts';
import { renderError, renderLogout, renderLogoutSuccess } from './pages.ts';
import { accessTokenClaims } from './permissions.ts';
import { mayIssueRefreshToken, type RefreshClient, rotatesRefreshTokens } from './public-refresh.ts';
import { rbacScopes } from './rbac-scopes.ts';
import { withoutRefreshTokenNonce } from './refresh-token-nonce.ts';
import { refreshLifetimes, refreshTokenTtl } from './refresh-token-record.ts';
import { runRefreshTrigger } from './refresh-trigger.ts';
import { type SessionLike, sessionTtl } from './session-record.ts';
import { createTenantLookups, type TenantLookups } from './tenant-lookups.ts';
import { tenantSettings } from './tenant-settings.ts';
import { introspectionAllowed, revocationAllowed } from './token-policies.ts';
import { nameGrantAndSession } from './userinfo-binding.ts';

export interface ConfigurationDeps {
  tenant: Tenant;
  issuer: string;
  keys: SigningKey[];
  storage: Storage;
  pages: LoginPages;
  adapter: AdapterFactory;
  postLogin: PostLoginPort;
  log: Logger;
}

/** Auth0's paths (an app configured for Auth0 only changes its domain). */
export const ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth/revoke',
  introspection: '/oauth/token/introspection',
  end_session: '/oidc/logout',
  pushed_authorization_request: '/oauth/par',
} as const;

/**
 * The oidc-provider configuration of one tenant. Long because it is one object literal with a comment
 * per decision; each policy that needs code lives in its own module.
 */
export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { tenant, storage } = deps;
  const settings = tenantSettings(tenant);
  const lookups = createTenantLookups(storage, tenant.id);
  const policy = interactionPolicy.base();
  // Auth0 does not re-ask consent of first-party native apps on every login.
  policy.get('consent')?.checks.remove('native_client_prompt');
  // An SSO login paused by a post-login redirect needs an interaction to resume into (grant-extras.ts).
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'post_login_redirect',
        'a post-login action sends the user to another page',
        'interaction_required',
        (ctx) =>
          pendingRedirect(ctx) === undefined
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  return {
    adapter: withoutRefreshTokenNonce(deps.adapter),
    findAccount: createFindAccount(storage, tenant.id),
    jwks: toJwks(deps.keys),
    cookies: {
      keys: toCookieKeys(deps.keys),
      names: { session: 'tessera_session', interaction: 'tessera_interaction', resume: 'tessera_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      // The interaction cookie must reach every interaction page (/u/login, /u/signup, /u/consent)
      // and `/continue`, where a login paused by a post-login redirect resumes in this browser only.
      short: { signed: true, httpOnly: true, sameSite: 'lax', path: '/' },
    },
    routes: ROUTES,
    // RFC 6750 §2.3, as Auth0: `/userinfo?access_token=` (passport-auth0 sends it so). Only userinfo
    // reads access tokens here; request-URL logs redact the value (docs/security.md#53).
    acceptQueryParamAccessTokens: true,
    claims: CLAIMS_BY_SCOPE,
    // Keep profile and email claims in the ID token even when an access token is issued (Auth0 does).
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'phone', 'address'],
    extraParams: ['audience', 'connection', 'screen_hint', 'organization', 'invitation'],
    extraClientMetadata: { properties: EXTRA_CLIENT_PROPERTIES },
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    // HS* would use the client secret as a key, and Tessera keeps only its HMAC: asymmetric only.
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA', 'PS256'],
      clientAuthSigningAlgValues: ['RS256', 'ES256', 'EdDSA', 'PS256'],
    },
    responseTypes: ['code', 'id_token', 'code id_token', 'id_token token', 'code id_token token', 'none'],
    // RFC 7636 / OAuth 2.1: PKCE (S256 only) for every public client; for confidential clients when the tenant says so.
    pkce: {
      required: (_ctx, client) =>
        client.clientAuthMethod === 'none' || settings.requirePkceForConfidentialClients,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      ((client as unknown as { cors_origins?: string[] }).cors_origins ?? []).includes(origin),
    interactions: {
      policy,
      url: async (ctx, interaction) => {
        const redirect = pendingRedirect(ctx);
        if (redirect !== undefined) {
          await deps.postLogin.bind(tenant.id, redirect.state, interaction.uid);
          return redirect.url;
        }
        return `/u/${interaction.prompt.name === 'consent' ? 'consent' : 'login'}?state=${interaction.uid}`;
      },
    },
    loadExistingGrant: (ctx) =>
      grantExtras.loadExistingGrant(ctx, deps.postLogin, tenant.id, settings.actions),
    features: {
      devInteractions: { enabled: false },
      // Both policies explicit (token-policies.ts): the library's defaults print a console notice.
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Auth0: a valid id_token_hint of this session logs out at once; otherwise the confirmation page.
        logoutSource: logoutAtOnceWithHint(renderLogout(deps.pages, tenant)),
        postLogoutSuccessSource: renderLogoutSuccess(deps.pages, tenant),
      },
      resourceIndicators: {
        enabled: true,
        // Auth0 apps name the API with `audience` rather than RFC 8707's `resource`.
        defaultResource: (ctx, _client, oneOf) =>
          oneOf ??
          (ctx.oidc.params?.audience as string | undefined) ??
          (ctx.oidc.body as Record<string, string> | undefined)?.audience ??
          settings.defaultAudience ??
          undefined!,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator, client) =>
          resourceServerInfo(lookups, ctx, indicator, client),
      },
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || code.scope?.split(' ').includes('offline_access') === true) &&
      mayIssueRefreshToken(client as unknown as RefreshClient),
    // Called once per refresh exchange, after every check of the token, client, grant and user and
    // before anything is rotated or issued: where the post-login trigger runs (refresh-trigger.ts).
    rotateRefreshToken: async (ctx) => {
      const rotating = rotatesRefreshTokens(ctx.oidc.client as unknown as RefreshClient);
      await runRefreshTrigger(
        ctx,
        {
          tenantId: tenant.id,
          postLogin: deps.postLogin,
          settings,
          records: storage.oidcRecords,
          log: deps.log,
        },
        rotating,
      );
      return rotating;
    },
    extraTokenClaims: (ctx, token) => accessTokenClaims(lookups, ctx, token),
    formats: {
      customizers: {
        jwt: (_ctx, token, parts) =>
          auth0AccessToken(deps.issuer, token, parts as { payload: Record<string, unknown> }),
      },
    },
    ttl: {
      AccessToken: (_ctx, token) =>
        (token.resourceServer as ProviderResourceServer | undefined)?.accessTokenTTL ?? 86_400,
      ClientCredentials: (_ctx, token) =>
        (token.resourceServer as ProviderResourceServer | undefined)?.accessTokenTTL ?? 86_400,
      AuthorizationCode: 60,
      IdToken: (_ctx, _token, client) =>
        (client as unknown as { tessera_jwt?: { lifetime_in_seconds: number } }).tessera_jwt
          ?.lifetime_in_seconds ?? 36_000,
      Interaction: 3_600,
      Session: (ctx, session) => sessionTtl(ctx, session as unknown as SessionLike, settings),
      // A grant must outlive the refresh tokens issued under it.
      // Also called outside a provider request (a grant saved by the consent page): `ctx` is then
      // undefined and the client is the one the grant was built with.
      Grant: (ctx, grant) =>
        Math.max(
          settings.grantLifetimeSeconds,
          refreshLifetimes(
            ((grant as unknown as { client?: unknown }).client ?? ctx?.oidc?.client ?? {}) as {
              refresh_token?: Record<string, unknown>;
            },
          ).absolute,
        ),
      RefreshToken: (ctx, token, client) =>
        refreshTokenTtl(
          ctx,
          token as unknown as { iat: number; iiat?: number },
          client as unknown as { refresh_token?: Record<string, unknown> },
        ),
    },
    renderError: renderError(deps.pages, tenant),
    allowOmittingSingleRegisteredRedirectUri: false,
  } as Configuration;
}

const USER_OIDC_SCOPES = ['openid', 'profile', 'email', 'address', 'phone'];

async function resourceServerInfo(
  lookups: TenantLookups,
  ctx: KoaContextWithOIDC,
  indicator: string,
  client: { clientId: string },
) {
  const api = await lookups.api(indicator);
  if (!api) throw new errors.InvalidTarget(`Service not found: ${indicator}`);
  // Auth0 grants a machine client every scope of its client grant when it asks for none.
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  const machine = ctx.oidc.route === 'token' && params?.grant_type === 'client_credentials';
  if (machine) {
    const grant = (await lookups.clientGrants(client.clientId)).find((g) => g.audience === indicator);
    if (!grant) throw new errors.AccessDenied(`Client is not authorized to access "${indicator}".`);
    if (!params.scope) params.scope = grant.scopes.join(' ');
    else
      params.scope = String(params.scope)
        .split(' ')
        .filter((s) => grant.scopes.includes(s))
        .join(' ');
  }
  // docs/security.md#48: a user's token for the Management API carries only Auth0's `*:current_user`
  // scopes, whatever the app asks for; the API's other scopes are for machine clients.
  const management = api.isSystem || api.identifier === managementAudience(ctx.oidc.issuer);
  const declared = api.scopes
    .map((s) => s.value)
    .filter((scope) => machine || !management || (CURRENT_USER_SCOPES as readonly string[]).includes(scope));
  // A machine's scopes come from its client grant (above); a user's from their roles when RBAC is on.
  const apiScopes = machine ? declared : await rbacScopes(lookups, ctx, api, declared);
  return {
    // A user's token for an API also carries the OIDC scopes granted (Auth0), so it serves /userinfo.
    scope: [...(machine ? [] : USER_OIDC_SCOPES), ...apiScopes].join(' '),
    audience: api.identifier,
    accessTokenTTL: api.tokenLifetime,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: api.signingAlg === 'HS256' ? 'RS256' : api.signingAlg } },
  };
}

/**
 * Auth0's access-token shape: a user's token that also carries `openid` is valid at `/userinfo` too
 * (`aud: [api, <issuer>userinfo]`, answered by routes/jwt-userinfo.ts, which needs the grant and
 * session the token names: userinfo-binding.ts); a machine's names itself as Auth0's do
 * (machine-token.ts); `azp` names the client in both.
 */
function auth0AccessToken(
  issuer: string,
  token: Parameters<typeof nameGrantAndSession>[0] & { kind?: string; clientId?: string; gty?: string },
  parts: { payload: Record<string, unknown> },
): void {
  // Only access tokens (a user's, a machine's) are JWTs oidc-provider formats here.
  parts.payload.azp = token.clientId;
  if (token.kind === 'ClientCredentials') Object.assign(parts.payload, machineTokenClaims(token.clientId!));
  if (token.kind !== 'AccessToken') return;
  const scopes = String(parts.payload.scope ?? '').split(' ');
  if (scopes.includes('openid') && typeof parts.payload.aud === 'string') {
    parts.payload.aud = [parts.payload.aud, `${issuer}userinfo`];
    nameGrantAndSession(token, parts.payload);
  }
  // Auth0 marks a token the password grant issued (password-grant.ts) `gty: "password"`.
  if (token.gty === 'password') parts.payload.gty = 'password';
}
