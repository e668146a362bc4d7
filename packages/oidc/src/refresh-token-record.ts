import { randomBytes } from 'node:crypto';
import type { RefreshTokenChanges, TransactionDevice, TransactionRefreshToken } from '@tessera/core';
import { familyIdOf, type RefreshTokenTessera } from '@tessera/storage';
import type { AdapterPayload, KoaContextWithOIDC } from 'oidc-provider';
import { type RefreshClient, rotatesRefreshTokens } from './public-refresh.ts';
import { requestDevice } from './token-request.ts';

/**
 * What Tessera keeps with each refresh token besides oidc-provider's fields (the payload's `tessera`,
 * its shape fixed by storage, which lists families): Auth0's refresh-token object
 * (`event.refresh_token`, the Management API's `/refresh-tokens`). The token's own id is the bearer
 * secret, so the family id stands for it everywhere it is shown.
 */
export type RefreshTokenRecord = RefreshTokenTessera;

interface RefreshTokenPayload {
  accountId?: string;
  clientId?: string;
  sessionUid?: string;
  resource?: string;
  scope?: string;
  iat?: number;
  iiat?: number;
  exp?: number;
  tessera?: RefreshTokenRecord;
}

/** Five years stands for Auth0's "never expires" (oidc-provider needs a finite lifetime). */
const NON_EXPIRING_SECONDS = 5 * 365 * 86_400;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Auth0's refresh-token settings: `expiration_type: 'non-expiring'` or `infinite_token_lifetime` mean
 * no absolute limit, `infinite_idle_token_lifetime` no idle limit; defaults 30 days and 15 days.
 */
export function refreshLifetimes(client: { refresh_token?: Record<string, unknown> }) {
  const settings = client.refresh_token ?? {};
  const absolute =
    settings.expiration_type === 'non-expiring' || settings.infinite_token_lifetime === true
      ? NON_EXPIRING_SECONDS
      : Number(settings.token_lifetime ?? 2_592_000);
  const idle =
    settings.expiration_type === 'non-expiring' || settings.infinite_idle_token_lifetime === true
      ? absolute
      : Number(settings.idle_token_lifetime ?? 1_296_000);
  return { absolute, idle };
}

/** What the actions of this exchange asked of its refresh token (refresh-trigger.ts sets it). */
const asked = new WeakMap<object, RefreshTokenChanges>();

export const askRefreshTokenChanges = (ctx: KoaContextWithOIDC, changes: RefreshTokenChanges) =>
  asked.set(ctx, changes);

/** The token this exchange rotates, as loaded (its `tessera` comes along: patchProvider). */
const rotatedOf = (ctx: KoaContextWithOIDC | undefined) =>
  ctx?.oidc?.entities.RotatedRefreshToken as RefreshTokenPayload | undefined;

/**
 * The family's end after this exchange: the presented token's, lowered by an action's
 * `api.refreshToken.setExpiresAt` (never raised: the client's maximum stays the maximum).
 */
function familyEnd(ctx: KoaContextWithOIDC | undefined, inherited: number): number {
  const request = ctx ? asked.get(ctx) : undefined;
  return request?.expiresAt === undefined
    ? inherited
    : Math.min(inherited, Math.floor(request.expiresAt / 1000));
}

/**
 * oidc-provider's `ttl.RefreshToken`: the idle lifetime from now, never past the family's end (the
 * client's absolute lifetime from the first token, or an action's earlier end), and never past an
 * action's `api.refreshToken.setIdleExpiresAt` for the token this exchange issues.
 */
export function refreshTokenTtl(
  ctx: KoaContextWithOIDC | undefined,
  token: { iat: number; iiat?: number },
  client: { refresh_token?: Record<string, unknown> },
): number {
  const { absolute, idle } = refreshLifetimes(client);
  const now = nowSeconds();
  const first = token.iiat ?? token.iat ?? now;
  // The client's lifetime as configured now caps the family too (an admin may have lowered it).
  const end = familyEnd(
    ctx,
    Math.min(rotatedOf(ctx)?.tessera?.expiresAt ?? Number.POSITIVE_INFINITY, first + absolute),
  );
  const idleRequest = ctx ? asked.get(ctx)?.idleExpiresAt : undefined;
  const idleEnd =
    idleRequest === undefined ? now + idle : Math.min(now + idle, Math.floor(idleRequest / 1000));
  return Math.max(1, Math.min(idleEnd, end) - now);
}

const device = (first: { ip?: string; userAgent?: string }, last = first): TransactionDevice => ({
  ...(first.ip === undefined ? {} : { initialIp: first.ip }),
  ...(first.userAgent === undefined ? {} : { initialUserAgent: first.userAgent }),
  ...(last.ip === undefined ? {} : { lastIp: last.ip }),
  ...(last.userAgent === undefined ? {} : { lastUserAgent: last.userAgent }),
});

/**
 * The payload a RefreshToken save stores: a new family for a login's first token, the family of the
 * rotated token for its successor (with this exchange as the last one), the record as it is for any
 * other save. `rotated` is the id of the token this exchange rotates, if it rotates one.
 */
export function withRefreshTokenRecord(
  payload: AdapterPayload,
  ctx: KoaContextWithOIDC | undefined,
  rotated: string | undefined,
): AdapterPayload {
  const token = payload as RefreshTokenPayload;
  const now = nowSeconds();
  const idleExpiresAt = typeof token.exp === 'number' ? token.exp : now;
  const from = rotatedOf(ctx)?.tessera;
  if (rotated !== undefined && from !== undefined) {
    const here = requestDevice(ctx);
    const client = ctx?.oidc?.client as unknown as { refresh_token?: Record<string, unknown> } | undefined;
    const first = token.iiat ?? token.iat ?? now;
    const record: RefreshTokenRecord = {
      ...from,
      expiresAt: familyEnd(ctx, Math.min(from.expiresAt, first + refreshLifetimes(client ?? {}).absolute)),
      idleExpiresAt,
      lastExchangedAt: now,
      device: {
        ...from.device,
        ...device({}, here),
      },
    };
    return { ...payload, tessera: record };
  }
  if (token.tessera !== undefined) return { ...payload, tessera: { ...token.tessera, idleExpiresAt } };
  const client = ctx?.oidc?.client as unknown as
    | (RefreshClient & { refresh_token?: Record<string, unknown> })
    | undefined;
  const first = token.iiat ?? token.iat ?? now;
  const record: RefreshTokenRecord = {
    family: randomBytes(16).toString('base64url'),
    createdAt: first,
    rotating: client ? rotatesRefreshTokens(client) : false,
    expiresAt: first + refreshLifetimes(client ?? {}).absolute,
    idleExpiresAt,
    device: device(requestDevice(ctx)),
  };
  return { ...payload, tessera: record };
}

/** `event.refresh_token` of the token an exchange presents. */
export function describeRefreshToken(
  token: RefreshTokenPayload & { jti?: string; scopes?: Set<string> },
): TransactionRefreshToken {
  const record = token.tessera;
  const seconds = (value: number | undefined) => (value === undefined ? undefined : new Date(value * 1000));
  const created = seconds(record?.createdAt ?? token.iiat ?? token.iat) ?? new Date();
  const expiresAt = seconds(record?.expiresAt);
  const idleExpiresAt = seconds(record?.idleExpiresAt ?? token.exp);
  const lastExchangedAt = seconds(record?.lastExchangedAt);
  const scopes = String(token.scope ?? '')
    .split(' ')
    .filter(Boolean);
  return {
    // A token issued before families existed is shown by a digest, never by its own id.
    id: record?.family ?? familyIdOf('RefreshToken', token.jti ?? '', {}) ?? '',
    ...(token.sessionUid === undefined ? {} : { sessionId: token.sessionUid }),
    createdAt: created,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(idleExpiresAt === undefined ? {} : { idleExpiresAt }),
    ...(lastExchangedAt === undefined ? {} : { lastExchangedAt }),
    rotating: record?.rotating ?? false,
    resourceServers: token.resource ? [{ audience: token.resource, scopes }] : [],
    device: record?.device ?? {},
  };
}
