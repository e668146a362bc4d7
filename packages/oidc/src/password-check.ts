import {
  dummyVerify,
  loginLimits,
  MAX_PASSWORD_LENGTH,
  type Storage,
  type User,
  verifyPassword,
} from '@tessera/storage';
import type { Throttle } from './throttle.ts';

/** What a password check decided; the caller answers in its own wire format (page or token error). */
export type PasswordCheck =
  /** The password is right and the user may log in. */
  | { kind: 'valid'; user: User }
  /** Unknown identifier or wrong password (never told apart); `blockBegan` when this failure blocked the IP. */
  | { kind: 'invalid'; user: User | undefined; blockBegan: boolean }
  /** The password is right, but an administrator blocked the user (said only after the check, as Auth0). */
  | { kind: 'user_blocked'; user: User }
  /** This IP is blocked for this user until an administrator lifts it: nothing was checked. */
  | { kind: 'ip_blocked' }
  /** This IP failed too often across accounts: nothing was checked; it may retry after `retryAfterMs`. */
  | { kind: 'throttled'; retryAfterMs: number };

export interface PasswordCheckInput {
  tenantId: string;
  /** The tenant's settings: its attack-protection limits (Auth0's defaults unless it changed them). */
  settings: Readonly<Record<string, unknown>>;
  /** An email or username, as typed (trimmed and bounded here). */
  identifier: string;
  password: string;
  /** The client address brute-force protection counts against (trusted proxies only). */
  ip: string;
  /** A database connection of the tenant; the default one when absent. */
  connection?: string;
}

/** What the login page and the password grant both count and show: the identifier as typed, bounded. */
export const normalizeTyped = (identifier: string) => identifier.trim().slice(0, 320);

/**
 * One password check with brute-force protection, shared by the login page and the password grant so
 * both count in the same counters (docs/security.md#20, #41–#43). The attempt reserves its place
 * before argon2id runs, counted per tenant and per resolved user from that IP; an unknown identifier
 * is counted like a known one and costs one dummy verification, so neither the answer, its timing nor
 * a block tells whether the account exists. Throws storage's InvalidRequestError for a connection
 * that is not one of the tenant's databases (nothing is counted then: no password was tried).
 */
export async function checkPassword(
  deps: { storage: Storage; throttle: Throttle },
  input: PasswordCheckInput,
): Promise<PasswordCheck> {
  const { tenantId, password, ip } = input;
  const identifier = normalizeTyped(input.identifier);
  const found = identifier
    ? await deps.storage.users.findForLogin(tenantId, identifier, input.connection)
    : undefined;
  // The email and the username of one account share its count.
  const verdict = await deps.throttle.reserve(
    found ? { tenantId, userId: found.user.user_id } : { tenantId, identifier },
    ip,
    loginLimits(input.settings, ip),
  );
  if (!verdict.allowed) {
    return verdict.reason === 'blocked'
      ? { kind: 'ip_blocked' }
      : { kind: 'throttled', retryAfterMs: verdict.retryAfterMs };
  }
  // An over-long password can never match (it could not have been set).
  const acceptable = password.length > 0 && password.length <= MAX_PASSWORD_LENGTH;
  let valid = false;
  if (found && acceptable) valid = await verifyPassword(password, found.passwordHash);
  else await dummyVerify(password.slice(0, MAX_PASSWORD_LENGTH));
  if (!found || !valid) {
    return { kind: 'invalid', user: found?.user, blockBegan: await verdict.attempt.failed(identifier) };
  }
  // The password was right: this attempt is no failed guess, whatever follows.
  await verdict.attempt.succeeded();
  return found.user.blocked
    ? { kind: 'user_blocked', user: found.user }
    : { kind: 'valid', user: found.user };
}
