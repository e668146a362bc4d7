import type { OidcRecordRepository } from '@tessera/storage';
import Provider, {
  type Adapter,
  type AdapterFactory,
  type AdapterPayload,
  errors,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { type RefreshClient, rotatesRefreshTokens } from './public-refresh.ts';
import { withRefreshTokenRecord } from './refresh-token-record.ts';

/**
 * Refresh-token rotation that a fault cannot turn into a logout (docs/oidc.md#rotation-and-the-reuse-interval).
 *
 * oidc-provider marks the presented token used first, then stores its successor and the access token,
 * then answers: a store failing in between answered an error with the token already spent, and the
 * client's retry looked like theft and revoked the family. Here the exchange only notes which token it
 * rotated (the adapter's `consume` during an exchange), and the token is marked used after the answer
 * is complete and before it is sent (`installRotationCommit`): any failure before that leaves it valid.
 *
 * The client's `refresh_token.leeway` is Auth0's reuse interval: within it, the token just rotated may
 * be presented again and gets a fresh pair of the same family (a client whose answer was lost keeps its
 * session); after it, or once a successor was itself exchanged, reuse revokes the family
 * (docs/security.md#16). The decision is one SQL statement (`consumeRotated`), so it holds across
 * processes and concurrent requests.
 */

/** Exchanges whose rotated token is still to be marked used, by request. */
const pending = new WeakMap<object, string>();

/** The refresh exchange oidc-provider is running now, if any (its AsyncLocalStorage context). */
function refreshExchange(): KoaContextWithOIDC | undefined {
  const ctx = Provider.ctx as KoaContextWithOIDC | undefined;
  if (ctx?.oidc?.route !== 'token') return undefined;
  return ctx.oidc.params?.grant_type === 'refresh_token' ? ctx : undefined;
}

/** The reuse interval of a client, in seconds (Auth0's `refresh_token.leeway`, default 0). */
export function reuseIntervalOf(client: unknown): number {
  const leeway = (client as { refresh_token?: { leeway?: unknown } } | undefined)?.refresh_token?.leeway;
  return typeof leeway === 'number' && Number.isInteger(leeway) && leeway > 0 ? leeway : 0;
}

/** The RefreshToken adapter with the rotation deferred to the answer (other models unchanged). */
export function withAtomicRotation(factory: AdapterFactory): AdapterFactory {
  return (model) => {
    const adapter = factory(model);
    if (model !== 'RefreshToken') return adapter;
    return {
      ...bound(adapter),
      async find(id) {
        const payload = await adapter.find(id);
        const ctx = refreshExchange();
        if (!payload?.consumed || !ctx || !mayBeReused(payload, ctx)) return payload;
        // Presented again within its client's reuse interval: the exchange proceeds as for an unused
        // token, and the commit decides (a successor exchanged since turns it into reuse).
        const { consumed: _consumed, ...unused } = payload;
        return unused;
      },
      upsert(id, payload, expiresIn) {
        // The successor of the token this exchange rotates names it: the commit's "previous
        // generation" is then the token's own chain, not any chain of the grant (a second login of
        // the app in the same session, or a sibling a reuse created, has chains of its own).
        const rotated = pendingOf(refreshExchange());
        const successor = rotated !== undefined && rotated !== id;
        // Every token carries its family's record (refresh-token-record.ts); a successor inherits it.
        const stored = withRefreshTokenRecord(
          payload,
          Provider.ctx as KoaContextWithOIDC | undefined,
          successor ? rotated : undefined,
        );
        return adapter.upsert(id, successor ? { ...stored, rotatedFrom: rotated } : stored, expiresIn);
      },
      async consume(id) {
        const ctx = refreshExchange();
        if (!ctx) return adapter.consume(id);
        pending.set(ctx, id);
      },
    } satisfies Adapter;
  };
}

const pendingOf = (ctx: KoaContextWithOIDC | undefined) => (ctx ? pending.get(ctx) : undefined);

/**
 * Whether a used token may go on to the commit, which decides on the database's clock in
 * milliseconds: this check reads `consumed` in whole seconds on this process's clock, so it lets a
 * little more through (a token just outside the interval is then refused by the commit, with the
 * same result as oidc-provider's own reuse branch). Only for the client the token was issued to, and
 * only when that client rotates: a non-rotating exchange records nothing for the commit to check.
 */
function mayBeReused(payload: AdapterPayload, ctx: KoaContextWithOIDC): boolean {
  const client = ctx.oidc.client;
  if (!client || payload.clientId !== client.clientId) return false;
  if (!rotatesRefreshTokens(client as unknown as RefreshClient)) return false;
  const interval = reuseIntervalOf(client);
  return interval > 0 && Date.now() / 1000 - Number(payload.consumed) <= interval + CLOCK_SLACK_SECONDS;
}

/** The rounding of `consumed` to seconds plus a little skew between a process's clock and the database's. */
const CLOCK_SLACK_SECONDS = 2;

/** Every method of an adapter, callable detached from it. */
function bound(adapter: Adapter): Adapter {
  return {
    upsert: (id, payload, expiresIn) => adapter.upsert(id, payload, expiresIn),
    find: (id) => adapter.find(id),
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (code) => adapter.findByUserCode(code),
    consume: (id) => adapter.consume(id),
    destroy: (id) => adapter.destroy(id),
    revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
  };
}

export interface RotationCommitDeps {
  tenantId: string;
  records: OidcRecordRepository;
  revokeGrant(grantId: string): Promise<void>;
}

/**
 * Marks the rotated token used once the exchange has produced its answer, before it is sent. A
 * failure here (the database gone) is thrown before any token leaves, so the old token stays valid
 * and the client's retry succeeds; the successor stored for this answer is dropped when it can be.
 * Losing the commit means the token was used meanwhile outside the reuse interval: the family is
 * revoked and the answer becomes the `invalid_grant` a reuse gets.
 */
export function installRotationCommit(provider: Provider, deps: RotationCommitDeps) {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const started = Date.now();
    await next();
    const rotated = pending.get(ctx);
    if (rotated === undefined) return;
    pending.delete(ctx);
    const successor = ctx.oidc.entities.RefreshToken as { jti?: string; grantId?: string } | undefined;
    // The successor of an answer that is not sent: never delivered, so nobody holds it; dropped when the
    // database allows (a failed drop leaves an orphan that expires with its grant).
    const dropSuccessor = async () => {
      if (successor?.jti && successor.jti !== rotated)
        await deps.records.destroy(deps.tenantId, 'RefreshToken', successor.jti).catch(() => {});
    };
    // The exchange failed after it rotated, or the client stopped waiting for it (a timeout, a closed
    // connection): nothing will be received, so the presented token stays as it was.
    if (ctx.status !== 200 || ctx.req.socket?.destroyed || ctx.res.destroyed) return dropSuccessor();
    let committed: boolean;
    try {
      // The interval counts to when the exchange arrived, not to when its actions let it finish: a
      // retry within the interval is not turned into reuse by a slow post-login action.
      const interval = reuseIntervalOf(ctx.oidc.client);
      const waited = interval > 0 ? Math.ceil((Date.now() - started) / 1000) : 0;
      committed = await deps.records.consumeRotated(deps.tenantId, rotated, interval + waited);
    } catch (error) {
      await dropSuccessor();
      throw error;
    }
    if (committed) return;
    if (successor?.grantId) await deps.revokeGrant(successor.grantId);
    const refusal = new errors.InvalidGrant('refresh token already used');
    ctx.status = refusal.statusCode;
    ctx.body = { error: refusal.message, error_description: refusal.error_description };
    provider.emit('grant.error', ctx, refusal);
  });
}
