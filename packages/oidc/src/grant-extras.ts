import type { PostLoginOutcome, PostLoginPort, SessionChanges } from '@tessera/core';
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import {
  askSessionChanges,
  clearSessionCookie,
  describeSession,
  revokeSession,
  type SessionLike,
} from './session-record.ts';
import type { TenantSettings } from './tenant-settings.ts';
import { installTriggerScopes } from './trigger-scopes.ts';

/**
 * What the post-login trigger decided for a login (claims, scope changes), stored on the Grant so a
 * code exchange and every later refresh carry it, as Auth0 does. The interaction result carries it
 * from the login page to the grant (`result.tessera`); the two merge points below read it back.
 */
export interface GrantExtras {
  idTokenClaims: Record<string, unknown>;
  accessTokenClaims: Record<string, unknown>;
  addScopes: string[];
  removeScopes: string[];
}

/** What of a `continue` outcome the grant keeps (session and refresh-token requests are applied elsewhere). */
export function grantExtrasOf(
  outcome: Extract<PostLoginOutcome, { kind: 'continue' }> | GrantExtras,
): GrantExtras {
  return {
    idTokenClaims: outcome.idTokenClaims,
    accessTokenClaims: outcome.accessTokenClaims,
    addScopes: outcome.addScopes,
    removeScopes: outcome.removeScopes,
  };
}

/**
 * What a login through the pages hands the authorization that resumes it (the interaction result's
 * `tessera`): the grant's part, the actions' session requests, and the id `event.session` showed the
 * actions, which a session this login establishes takes.
 */
export interface LoginResultExtras extends GrantExtras {
  session?: SessionChanges;
  sessionId?: string;
}

/** Claims that identify, bind or time the token: only the provider sets them. */
const PROTECTED_ID_TOKEN_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'azp',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  's_hash',
  'acr',
  'amr',
  'sid',
  'cnf',
  'typ',
]);

/**
 * An SSO login whose actions sent the user to another page (`api.redirect.sendUserTo`): the trigger ran
 * inside the authorization request, which has no interaction yet. The `post_login_redirect` check of
 * the login prompt makes oidc-provider create one, and the interaction URL binds the paused login to it
 * and sends the browser to the action's page (configuration.ts).
 */
const pendingRedirects = new WeakMap<KoaContextWithOIDC, { url: string; state: string }>();

export const pendingRedirect = (ctx: KoaContextWithOIDC) => pendingRedirects.get(ctx);

type GrantWithExtras = InstanceType<Provider['Grant']> & { tessera?: GrantExtras };

/** What a save would persist that this module may change. */
const snapshot = (grant: GrantWithExtras) => JSON.stringify([grant.openid, grant.resources, grant.tessera]);

const grantOf = (ctx: KoaContextWithOIDC) => ctx.oidc.entities.Grant as GrantWithExtras | undefined;

export const grantExtras = {
  /**
   * oidc-provider's `loadExistingGrant`: first-party clients skip consent (Auth0 "is_first_party"),
   * and the trigger's outcome of this login is copied onto the grant.
   */
  async loadExistingGrant(
    ctx: KoaContextWithOIDC,
    postLogin: PostLoginPort,
    tenantId: string,
    actionSettings: TenantSettings['actions'],
  ) {
    const { oidc } = ctx;
    const client = oidc.client!;
    const id = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
    let grant = (id ? await oidc.provider.Grant.find(id) : undefined) as GrantWithExtras | undefined;
    const before = grant ? snapshot(grant) : undefined;
    const firstParty = (client as unknown as { is_first_party?: boolean }).is_first_party === true;
    if (firstParty) {
      grant ??= new oidc.provider.Grant({
        clientId: client.clientId,
        accountId: oidc.session!.accountId!,
      }) as GrantWithExtras;
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' ') || 'openid');
      grant.addOIDCClaims([...oidc.requestParamClaims]);
      for (const [indicator, resource] of Object.entries(oidc.resourceServers ?? {})) {
        const allowed = new Set(String(resource.scope ?? '').split(' '));
        const scopes = [...oidc.requestParamScopes].filter((scope) => allowed.has(scope));
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    // A login that went through our pages brings its outcome; an SSO login (the session already
    // exists, no page shown) runs the trigger here, so every authorization passes through it.
    const fromPage = (oidc.result as { tessera?: LoginResultExtras } | undefined)?.tessera;
    const session = oidc.session as unknown as SessionLike;
    // The session this login establishes takes the id its actions saw. Only a session no app has signed
    // in through yet is renamed (a new one, or the empty one oidc-provider makes for a cookie whose
    // session is gone); a session already in use keeps its id.
    if (
      fromPage?.sessionId !== undefined &&
      session.uid !== fromPage.sessionId &&
      Object.keys(session.authorizations ?? {}).length === 0
    )
      session.uid = fromPage.sessionId;
    const outcome = fromPage ?? (await runForSso(ctx, postLogin, tenantId, actionSettings));
    const extras = outcome === undefined ? undefined : grantExtrasOf(outcome);
    askSessionChanges(ctx, session, outcome?.session);
    if (grant && extras) grant.tessera = extras;
    // An SSO login usually changes nothing: write the grant only when it is new or different.
    if (grant && snapshot(grant) !== before) await grant.save();
    return grant;
  },

  /** Access-token claims from the trigger (merged by oidc-provider under its registered claims). */
  accessTokenClaims(ctx: KoaContextWithOIDC, _token: unknown): Record<string, unknown> | undefined {
    return grantOf(ctx)?.tessera?.accessTokenClaims;
  },
};

/**
 * Patches that must exist exactly once per provider (docs/architecture.md#known-traps):
 * - the Grant, RefreshToken and Session persist `tessera` with their other fields (the trigger's
 *   outcome; refresh-token-record.ts; session-record.ts);
 * - ID-token claims from the trigger are added after oidc-provider's claim filter (which keeps only
 *   `claimsSupported` names and would drop namespaced custom claims);
 * - every ID token carries `sid`, as Auth0's do;
 * - access tokens carry the trigger's scope changes (trigger-scopes.ts);
 * - the client secret is checked against the stored HMAC (Tessera never keeps the secret itself).
 */
export function patchProvider(
  provider: Provider,
  verifySecret: (clientId: string, secret: string) => Promise<boolean>,
) {
  // Models keep only their listed payload fields, loaded and saved: Tessera's records ride along.
  for (const model of [provider.Grant, provider.RefreshToken, provider.Session]) {
    const base = model.IN_PAYLOAD;
    Object.defineProperty(model, 'IN_PAYLOAD', { get: () => [...base, 'tessera'], configurable: true });
  }

  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = async function issueWithTriggerClaims(
    this: InstanceType<Provider['IdToken']>,
    options,
  ) {
    if (options?.use === 'idtoken') {
      const ctx = (this as unknown as { ctx?: KoaContextWithOIDC }).ctx;
      const claims = ctx ? grantOf(ctx)?.tessera?.idTokenClaims : undefined;
      for (const [name, value] of Object.entries(claims ?? {})) {
        // Defence in depth: the trigger layer already drops restricted names; never let one through.
        if (!PROTECTED_ID_TOKEN_CLAIMS.has(name)) this.set(name, value);
      }
    }
    return issue.call(this, options);
  };

  installTriggerScopes(provider);

  // Auth0 puts the session id in every ID token (apps use it for logout bookkeeping), not only for
  // clients registered for back-channel logout.
  provider.Client.prototype.includeSid = () => true;
  // …and that `sid` is the session's id, the same for every app of the session and the one
  // `event.session.id` and the Management API show (oidc-provider draws a random one per app).
  provider.Session.prototype.ensureClientContainer = function sidIsTheSessionId(
    this: InstanceType<Provider['Session']>,
    clientId: string,
  ) {
    if (!this.sidFor(clientId)) this.sidFor(clientId, this.uid);
  };

  provider.Client.prototype.compareClientSecret = function compareWithStoredHmac(
    this: { clientId: string },
    actual: string,
  ) {
    return verifySecret(this.clientId, actual) as unknown as boolean;
  };
}

async function runForSso(
  ctx: KoaContextWithOIDC,
  postLogin: PostLoginPort,
  tenantId: string,
  actionSettings: TenantSettings['actions'],
): Promise<(GrantExtras & { session?: SessionChanges }) | undefined> {
  const { oidc } = ctx;
  const params = oidc.params as Record<string, unknown>;
  const session = oidc.session as unknown as SessionLike;
  const authenticatedAt = session.loginTs === undefined ? new Date() : new Date(session.loginTs * 1000);
  const outcome = await postLogin.run({
    tenantId,
    userId: oidc.session!.accountId!,
    clientId: oidc.client!.clientId,
    protocol: 'oidc-basic-profile',
    requestedScopes: String(params.scope ?? '')
      .split(' ')
      .filter(Boolean),
    audience: params.audience as string | undefined,
    redirectUri: params.redirect_uri as string | undefined,
    ip: ctx.ip,
    id: (oidc as unknown as { uid?: string }).uid ?? oidc.session!.uid,
    request: {
      hostname: ctx.hostname,
      method: ctx.method,
      userAgent: ctx.get('user-agent') || undefined,
      language: ctx.get('accept-language').split(',')[0]?.trim() || undefined,
    },
    params,
    actionSettings,
    session: describeSession(session),
    authenticationMethods: (session.amr ?? []).map((name) => ({ name, timestamp: authenticatedAt })),
  });
  if (outcome.kind === 'deny') {
    // `api.session.revoke`: the session ends here (the cookie goes with it), its tokens unless preserved.
    if (outcome.revoke?.session) {
      await revokeSession(oidc.provider, session, outcome.revoke.session);
      clearSessionCookie(ctx);
    }
    throw new errors.CustomOIDCProviderError(outcome.error, outcome.description);
  }
  if (outcome.kind === 'redirect') {
    pendingRedirects.set(ctx, { url: outcome.url, state: outcome.state });
    return undefined;
  }
  return {
    ...grantExtrasOf(outcome),
    ...(outcome.session === undefined ? {} : { session: outcome.session }),
  };
}
