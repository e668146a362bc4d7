import type { KvStore } from '@tessera/core';
import { createLoginAttempts, type LoginAttempts } from '@tessera/storage';

/**
 * Brute-force protection of the login pages (docs/security.md#20, #41–#43), Auth0's two shields:
 * consecutive failures for one user from one IP block that IP for that user until an administrator
 * lifts the block (`/api/v2/user-blocks`), and failures from one IP across accounts throttle that IP
 * for a while. Each attempt reserves its place before the password is checked, in one KV round trip;
 * the counters and their limits live in `@tessera/storage` (login-attempts.ts), which the Management
 * API reads too.
 */
export type Throttle = LoginAttempts;

export const createThrottle = (kv: KvStore): Throttle => createLoginAttempts(kv);

/** Retry-After in whole seconds, rounded up so nobody retries too early. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
