import type { KvStore } from '@tessera/core';

/**
 * Brute-force protection for password logins (SECURITY.md 20). Failures are counted per account and
 * per client IP in fixed windows; a full window blocks further attempts until it ends, so an attacker
 * can slow an account down but never lock its owner out for longer than one window.
 */
export const LIMITS = {
  perAccount: { max: 10, windowMs: 15 * 60_000 },
  perIp: { max: 50, windowMs: 15 * 60_000 },
  /** Every sign-up attempt counts: it creates an account, and a refusal tells whether an email exists. */
  signupPerIp: { max: 20, windowMs: 15 * 60_000 },
} as const;

export interface Throttle {
  /** Seconds to wait when either counter is full, else 0. */
  blockedFor(account: string, ip: string): Promise<number>;
  recordFailure(account: string, ip: string): Promise<void>;
  /** A successful login clears the account's counter (not the IP's). */
  recordSuccess(account: string): Promise<void>;
  /** Counts one sign-up attempt from `ip`; seconds to wait when the window is already full, else 0. */
  signupAttempt(ip: string): Promise<number>;
}

export function createThrottle(kv: KvStore): Throttle {
  const store = kv.scoped('throttle:');
  const accountKey = (account: string) => `acct:${account.trim().toLowerCase()}`;
  const ipKey = (ip: string) => `ip:${ip}`;

  async function wait(key: string, max: number): Promise<number> {
    const count = Number((await store.get(key)) ?? 0);
    if (count < max) return 0;
    const ttl = (await store.ttl(key)) ?? 0;
    return Number.isFinite(ttl) ? Math.max(1, Math.ceil(ttl / 1000)) : 60;
  }

  return {
    async blockedFor(account, ip) {
      const [a, i] = await Promise.all([
        wait(accountKey(account), LIMITS.perAccount.max),
        wait(ipKey(ip), LIMITS.perIp.max),
      ]);
      return Math.max(a, i);
    },
    async recordFailure(account, ip) {
      await Promise.all([
        store.increment(accountKey(account), LIMITS.perAccount.windowMs),
        store.increment(ipKey(ip), LIMITS.perIp.windowMs),
      ]);
    },
    async recordSuccess(account) {
      await store.delete(accountKey(account));
    },
    async signupAttempt(ip) {
      const count = await store.increment(`signup:${ip}`, LIMITS.signupPerIp.windowMs);
      return count > LIMITS.signupPerIp.max ? wait(`signup:${ip}`, LIMITS.signupPerIp.max) : 0;
    },
  };
}
