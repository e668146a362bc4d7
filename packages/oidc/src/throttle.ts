import type { KvStore } from '@tessera/core';
import {
  createLoginAttempts,
  type LoginAttempts,
  type LoginLimits,
  loginLimits,
  type SignupLimit,
  signupLimit,
  type Tenant,
} from '@tessera/storage';

/**
 * Brute-force protection of password logins, the login page's and the password grant's alike, in the
 * same counters (docs/security.md#20, #41–#43, password-check.ts), Auth0's two shields:
 * consecutive failures for one user from one IP block that IP for that user until an administrator
 * lifts the block (`/api/v2/user-blocks`), and failures from one IP across accounts throttle that IP
 * for a while. Each attempt reserves its place before the password is checked, in one KV round trip;
 * the counters live in `@tessera/storage` (login-attempts.ts), which the Management API reads too.
 * The limits are the tenant's attack-protection settings (`/api/v2/attack-protection/*`), passed to
 * each reservation: `throttle.reserve(subject, ip, limitsFor(tenant, ip))`.
 */
export type Throttle = LoginAttempts;

export const createThrottle = (kv: KvStore): Throttle => createLoginAttempts(kv);

/**
 * The limits of a password attempt from `ip` under the tenant's brute-force protection and suspicious
 * IP throttling. Read from the tenant the request carries (the Host → tenant cache, or the tenant a
 * provider was built from): no database read per login; a change shows within that cache's lifetime.
 */
export const limitsFor = (tenant: Tenant, ip: string): LoginLimits => loginLimits(tenant.settings, ip);

/** The sign-up limit (suspicious IP throttling's pre-user-registration stage) for `ip`. */
export const signupLimitFor = (tenant: Tenant, ip: string): SignupLimit => signupLimit(tenant.settings, ip);

/** Retry-After in whole seconds, rounded up so nobody retries too early. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
