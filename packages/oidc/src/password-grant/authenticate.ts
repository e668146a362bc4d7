import { InvalidRequestError } from '@tessera/core';
import type { Storage, User } from '@tessera/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { type AuditSource, noteExchangeSubject, recordLoginBlock } from '../audit-events.ts';
import { checkPassword, normalizeTyped } from '../password-check.ts';
import { retryAfterSeconds, type Throttle } from '../throttle.ts';
import type { PasswordRequest } from './request.ts';
import { tokenError, WRONG_CREDENTIALS } from './token-error.ts';

export interface AuthenticateDeps {
  storage: Storage;
  throttle: Throttle;
  audit: (ctx: KoaContextWithOIDC) => AuditSource;
}

/**
 * The user whose password this request proves, through the login page's own check and counters
 * (password-check.ts): a guess here counts toward the same per-user-and-IP block and per-IP
 * throttle as one on the page, so switching between them buys an attacker nothing (docs/security.md
 * #41–#43). The IP is the one the page sees: the socket, or X-Forwarded-For from a trusted proxy
 * only; Auth0's `auth0-forwarded-for` header is not read (docs/oidc.md#behaviour). Refusals use Auth0's
 * token-endpoint answers: 403 `invalid_grant` for an unknown user and a wrong password alike, 401
 * `unauthorized` for a blocked user (said only once the password checked out, as Auth0 does), 429
 * `too_many_attempts` when brute-force protection stops the attempt before any check.
 */
export async function authenticate(
  ctx: KoaContextWithOIDC,
  deps: AuthenticateDeps,
  tenant: { id: string; settings: Readonly<Record<string, unknown>> },
  request: PasswordRequest,
): Promise<User> {
  const source = deps.audit(ctx);
  const identifier = normalizeTyped(request.username);
  const subject = { identifier, connection: request.connection };
  noteExchangeSubject(ctx, subject);
  let check: Awaited<ReturnType<typeof checkPassword>>;
  try {
    check = await checkPassword(deps, {
      tenantId: tenant.id,
      settings: tenant.settings,
      identifier,
      password: request.password,
      ip: source.ip,
      connection: request.connection,
    });
  } catch (error) {
    // The realm (or default directory) is not a database connection of the tenant: nothing was tried.
    if (error instanceof InvalidRequestError)
      throw tokenError(400, 'invalid_request', 'the connection was not found');
    throw error;
  }
  const clientId = ctx.oidc.client!.clientId;
  switch (check.kind) {
    case 'valid':
      noteExchangeSubject(ctx, { ...subject, user: check.user });
      return check.user;
    case 'invalid':
      noteExchangeSubject(ctx, { ...subject, user: check.user });
      if (check.blockBegan)
        recordLoginBlock(deps.storage, source, { ...subject, clientId, user: check.user });
      throw tokenError(403, 'invalid_grant', WRONG_CREDENTIALS);
    case 'user_blocked':
      noteExchangeSubject(ctx, { ...subject, user: check.user });
      throw tokenError(401, 'unauthorized', 'user is blocked');
    case 'ip_blocked':
      // Auth0's words, less its promise of an unblock email (Tessera sends none: an administrator
      // lifts the block through /api/v2/user-blocks).
      throw tokenError(
        429,
        'too_many_attempts',
        'Your account has been blocked after multiple consecutive login attempts.',
      );
    case 'throttled':
      ctx.set('retry-after', String(retryAfterSeconds(check.retryAfterMs)));
      throw tokenError(
        429,
        'too_many_attempts',
        'Too many failed login attempts from this IP address. Try again later.',
      );
  }
}
