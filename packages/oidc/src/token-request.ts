import { randomBytes } from 'node:crypto';
import type { PostLoginTransaction } from '@tessera/core';
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The parts of a post-login transaction a token-endpoint exchange (password grant, refresh) gives the
 * trigger: its own `event.transaction.id`, as each Auth0 transaction has one; the request, whose form
 * shows actions only `visibleFields` (never a password, a client credential or a token); no
 * authorization parameters, as a token request has no query string.
 */
export function tokenRequestTransaction(
  ctx: KoaContextWithOIDC,
  visibleFields: readonly string[],
): Pick<PostLoginTransaction, 'ip' | 'id' | 'request' | 'params'> {
  const params = ctx.oidc.params as Record<string, unknown>;
  const userAgent = ctx.get('user-agent') || undefined;
  const language = ctx.get('accept-language').split(',')[0]?.trim() || undefined;
  return {
    ip: ctx.ip,
    id: randomBytes(16).toString('base64url'),
    request: {
      hostname: ctx.hostname,
      method: ctx.method,
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(language === undefined ? {} : { language }),
      body: Object.fromEntries(
        visibleFields.filter((name) => params[name] !== undefined).map((name) => [name, params[name]]),
      ),
    },
    params: {},
  };
}

/** How much of a User-Agent a session or refresh token keeps (a header may be up to 16 KB). */
const MAX_USER_AGENT = 512;

/** Where a request comes from, as a session or a refresh token records it (Auth0's `device`). */
export function requestDevice(ctx: KoaContextWithOIDC | undefined): { ip?: string; userAgent?: string } {
  if (!ctx) return {};
  const userAgent = ctx.get('user-agent').slice(0, MAX_USER_AGENT) || undefined;
  return { ...(ctx.ip ? { ip: ctx.ip } : {}), ...(userAgent ? { userAgent } : {}) };
}
