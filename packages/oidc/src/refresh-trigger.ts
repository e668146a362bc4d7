import type { Logger, PostLoginOutcome, PostLoginPort, RefreshTokenChanges } from '@tessera/core';
import type { OidcRecordRepository } from '@tessera/storage';
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { type GrantExtras, grantExtrasOf } from './grant-extras.ts';
import { revokeGrant } from './grant-revocation.ts';
import {
  askRefreshTokenChanges,
  describeRefreshToken,
  type RefreshTokenRecord,
  refreshLifetimes,
} from './refresh-token-record.ts';
import {
  askSessionChanges,
  describeSession,
  findSession,
  revokeSession,
  type SessionLike,
  sessionTtl,
} from './session-record.ts';
import type { TenantSettings } from './tenant-settings.ts';
import { requestDevice, tokenRequestTransaction } from './token-request.ts';

export interface RefreshTriggerDeps {
  tenantId: string;
  postLogin: PostLoginPort;
  settings: TenantSettings;
  /** Where refresh tokens are stored: a non-rotating token's record changes in place. */
  records: OidcRecordRepository;
  log: Logger;
}

/** The token an exchange presents, as oidc-provider loaded it (its `tessera` included). */
type PresentedToken = Parameters<typeof describeRefreshToken>[0] & {
  jti: string;
  grantId: string;
  accountId: string;
  amr?: string[];
  authTime?: number;
  exp: number;
};

type GrantWithExtras = InstanceType<Provider['Grant']> & { tessera?: GrantExtras };

/** Token-request fields an action may see in `event.request.body` (no credentials, no token). */
const VISIBLE_FIELDS = ['grant_type', 'client_id', 'scope', 'audience'] as const;

/**
 * Runs the post-login trigger on a refresh-token exchange (docs/actions.md#what-runs-on-a-refresh-token-exchange),
 * called by oidc-provider's `rotateRefreshToken` hook: after it has checked the token, its client, its
 * grant and its user (a blocked or deleted user never gets here), and before anything is rotated,
 * consumed or issued. So a denial or a failure leaves the presented token exactly as it was, unless the
 * actions revoked it.
 *
 * On success the run's claims and scope changes replace the login's for the tokens of this exchange
 * (the Grant in the request holds them; it is not saved, so the next exchange runs afresh), its
 * refresh-token requests shape the token this exchange leaves valid, and its session requests are
 * saved on the session the token is bound to.
 */
export async function runRefreshTrigger(
  ctx: KoaContextWithOIDC,
  deps: RefreshTriggerDeps,
  rotating: boolean,
): Promise<void> {
  const { oidc } = ctx;
  const token = oidc.entities.RefreshToken as unknown as PresentedToken;
  const grant = oidc.entities.Grant as GrantWithExtras;
  const params = oidc.params as Record<string, unknown>;
  const sessionUid = token.sessionUid;
  let session: SessionLike | undefined;
  const loadSession = async () => {
    session ??= sessionUid ? await findSession(oidc.provider, sessionUid) : undefined;
    return session;
  };
  const authTime = new Date((token.authTime ?? token.iat ?? 0) * 1000);
  const outcome = await deps.postLogin.run(
    {
      tenantId: deps.tenantId,
      userId: token.accountId,
      clientId: oidc.client!.clientId,
      protocol: 'oauth2-refresh-token',
      requestedScopes: [...(params.scope ? oidc.requestParamScopes : (token.scopes ?? []))],
      audience: token.resource,
      redirectUri: undefined,
      ...tokenRequestTransaction(ctx, VISIBLE_FIELDS),
      authenticationMethods: (token.amr ?? []).map((name) => ({ name, timestamp: authTime })),
      refreshToken: describeRefreshToken(token),
      actionSettings: deps.settings.actions,
    },
    {
      session: async () => {
        const found = await loadSession();
        return found === undefined ? undefined : describeSession(found);
      },
    },
  );
  if (outcome.kind !== 'continue') return refuse(ctx, outcome, token, loadSession);
  // Replace, not merge: a claim no action sets any more is gone from this exchange's tokens.
  grant.tessera = grantExtrasOf(outcome);
  if (outcome.refreshToken !== undefined) {
    askRefreshTokenChanges(ctx, outcome.refreshToken);
    // A rotating exchange applies them to the successor it issues (refresh-token-record.ts); a
    // non-rotating one keeps its token, whose stored expiry changes now.
    if (!rotating) await shortenPresented(deps, token, outcome.refreshToken);
  }
  if (!rotating) recordExchangeAfterAnswer(ctx, deps, token, outcome.refreshToken);
  if (outcome.session !== undefined) {
    const bound = await loadSession();
    // A token with no session (or whose session ended) has no session to change: the calls do nothing.
    if (bound !== undefined) {
      askSessionChanges(ctx, bound, outcome.session);
      await bound.save(sessionTtl(ctx, bound, deps.settings, false));
    }
  }
}

async function refuse(
  ctx: KoaContextWithOIDC,
  outcome: Exclude<PostLoginOutcome, { kind: 'continue' }>,
  token: PresentedToken,
  loadSession: () => Promise<SessionLike | undefined>,
): Promise<never> {
  if (outcome.kind === 'redirect') {
    // Cannot happen (nothing can redirect without a browser); never issue tokens if it does.
    throw new errors.InvalidGrant('a post-login action tried to redirect the user');
  }
  if (outcome.revoke?.refreshToken) await revokeGrant(ctx.oidc.provider, token.grantId);
  if (outcome.revoke?.session) {
    const session = await loadSession();
    const { preserveRefreshTokens } = outcome.revoke.session;
    if (session !== undefined) await revokeSession(ctx.oidc.provider, session, { preserveRefreshTokens });
    // The session is already gone: its tokens still die unless preserved (this one is among them).
    else if (!preserveRefreshTokens) await revokeGrant(ctx.oidc.provider, token.grantId);
  }
  throw new errors.CustomOIDCProviderError(outcome.error, outcome.description);
}

/**
 * A non-rotating token's new end: the earliest of its own and the actions' requests, written to its
 * stored record only if that record still exists (a token revoked meanwhile is not brought back).
 */
async function shortenPresented(
  deps: RefreshTriggerDeps,
  token: PresentedToken,
  changes: { expiresAt?: number; idleExpiresAt?: number },
): Promise<void> {
  const seconds = (ms: number | undefined) =>
    ms === undefined ? Number.POSITIVE_INFINITY : Math.floor(ms / 1000);
  const end = Math.min(token.exp, seconds(changes.expiresAt), seconds(changes.idleExpiresAt));
  const stored = await deps.records.find(deps.tenantId, 'RefreshToken', token.jti);
  if (stored === undefined) return;
  const record = stored.tessera as RefreshTokenRecord | undefined;
  const now = Math.floor(Date.now() / 1000);
  // An end already past: the token dies now (this exchange, already allowed, still answers).
  if (end <= now) return deps.records.destroy(deps.tenantId, 'RefreshToken', token.jti);
  const { consumed: _consumed, ...payload } = stored;
  await deps.records.update(
    deps.tenantId,
    'RefreshToken',
    token.jti,
    {
      ...payload,
      exp: end,
      ...(record === undefined
        ? {}
        : {
            tessera: {
              ...record,
              expiresAt: Math.min(record.expiresAt, seconds(changes.expiresAt)),
              idleExpiresAt: end,
            },
          }),
    },
    end - now,
  );
}

/**
 * A non-rotating token after an exchange (a rotating one's successor carries all this): its idle end
 * starts again from now, as every use of a refresh token restarts Auth0's idle lifetime (never past
 * the family's end or what an action asked this exchange), and its `last_exchanged_at` and last device
 * are recorded. Written after the answer is sent, in one statement that never recreates a revoked
 * token; a failed write is logged only (the token then keeps its earlier, shorter end).
 */
function recordExchangeAfterAnswer(
  ctx: KoaContextWithOIDC,
  deps: RefreshTriggerDeps,
  token: PresentedToken,
  asked: RefreshTokenChanges | undefined,
) {
  const record = token.tessera;
  if (record === undefined) return;
  const here = requestDevice(ctx);
  const device = {
    ...record.device,
    ...(here.ip === undefined ? {} : { lastIp: here.ip }),
    ...(here.userAgent === undefined ? {} : { lastUserAgent: here.userAgent }),
  };
  const { absolute, idle } = refreshLifetimes(
    ctx.oidc.client as unknown as { refresh_token?: Record<string, unknown> },
  );
  // The family's end: as stored, and never past the client's lifetime as configured now.
  const familyEnd = Math.min(record.expiresAt, (token.iiat ?? token.iat ?? 0) + absolute);
  ctx.res.once('finish', () => {
    if (ctx.status !== 200) return;
    const now = Math.floor(Date.now() / 1000);
    const end = Math.min(
      now + idle,
      familyEnd,
      ...[asked?.expiresAt, asked?.idleExpiresAt].flatMap((ms) =>
        ms === undefined ? [] : [Math.floor(ms / 1000)],
      ),
    );
    if (end <= now) return;
    deps.records
      .mergeIntoPayload(
        deps.tenantId,
        'RefreshToken',
        token.jti,
        'tessera',
        { lastExchangedAt: now, device, idleExpiresAt: end },
        end,
      )
      .catch((error: unknown) =>
        deps.log.warn({ err: error }, 'could not record the last exchange of a refresh token'),
      );
  });
}
