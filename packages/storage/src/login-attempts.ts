import { createHash } from 'node:crypto';
import type { KvStore } from '@tessera/core';
import type { LoginLimits, SignupLimit } from './login-policy.ts';
import { normalizeIdentifier } from './repositories/user-input.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Brute-force protection of password logins, shared by the login page (which counts) and the
 * Management API's `/user-blocks` (which lists and lifts). Everything lives in the KV store, so this
 * object is stateless: any number of instances over one store agree.
 *
 * The defaults below are what a tenant gets until it changes its attack-protection settings
 * (attack-protection.ts; login-policy.ts turns them into the limits of one attempt).
 */
export const LOGIN_LIMITS = {
  /**
   * Auth0's brute-force protection: 10 consecutive failures for one user from one IP block that IP for
   * that user (docs/security.md#42). The block has no end of its own: an administrator lifts it (Auth0
   * also lifts it on a password change or the unblock link it mails, which Tessera does not have yet).
   * Its storage lifetime starts over at each counted failure and bounds it at 30 days, as Auth0's does.
   */
  perUserIp: { max: 10, lifetimeMs: 30 * DAY },
  /**
   * Auth0's suspicious IP throttling across accounts, with its default budget of 100 failed logins per
   * IP per day (Auth0 regrants one every 864 s; here the 100 are counted in a day-long window from the
   * first failure). It throttles only that IP: the owner's login from elsewhere is unaffected.
   */
  perIp: { max: 100, windowMs: DAY },
  /** Every sign-up attempt counts: it creates an account, and a refusal tells whether an email exists. */
  signupPerIp: { max: 20, windowMs: 15 * MINUTE },
} as const;

/** The limits of an attempt when the caller names none: the defaults, for every IP. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUserIp: { max: LOGIN_LIMITS.perUserIp.max },
  perIp: LOGIN_LIMITS.perIp,
};

/** The most IPs a user's block index remembers (each needs its own 10 failures to get there). */
const MAX_INDEXED_BLOCKS = 1000;

/**
 * Whom an attempt is counted against: the resolved user, so the email and the username of one account
 * share one count, or, when no user matches, what was typed (normalized), so an unknown identifier is
 * counted and blocked exactly like a known one and a block never tells whether an account exists
 * (docs/security.md#43). Always within one tenant.
 */
export type LoginSubject = { tenantId: string; userId: string } | { tenantId: string; identifier: string };

export type LoginVerdict =
  /** The attempt holds a place: settle it with `succeeded` or `failed` once the password is checked. */
  | { allowed: true; attempt: LoginAttempt }
  /** This IP is blocked for this user until an administrator lifts it (no end: no Retry-After). */
  | { allowed: false; reason: 'blocked' }
  /** This IP has failed too often across accounts; it may try again after `retryAfterMs`. */
  | { allowed: false; reason: 'throttled'; retryAfterMs: number };

export interface LoginAttempt {
  /** The password was right: the place is given back and the consecutive count starts over. */
  succeeded(): Promise<void>;
  /**
   * The password was wrong: the place stays taken as the failure. True when this failure began a
   * block; the user's index of blocked IPs is then updated (rare, so its extra round trips are too).
   * `identifier` is what was typed, as `/user-blocks` lists it.
   */
  failed(identifier: string): Promise<boolean>;
}

/** One IP blocked for a user, as Auth0's `/user-blocks` lists it (`blocked_for`). */
export interface LoginBlock {
  identifier: string;
  ip: string;
}

export interface LoginAttempts {
  /**
   * Reserves a place for one password check from `ip`, before the check (one KV round trip; none when
   * `limits` counts nothing). `limits` are the tenant's (login-policy.ts), the defaults when absent.
   */
  reserve(subject: LoginSubject, ip: string, limits?: LoginLimits): Promise<LoginVerdict>;
  /**
   * Counts one sign-up attempt from `ip` on a tenant; ms to wait when its window is full, else 0.
   * `limit` is the tenant's (login-policy.ts; null: not limited), the default when absent.
   */
  signupAttempt(tenantId: string, ip: string, limit?: SignupLimit): Promise<number>;
  /**
   * The IPs blocked for a subject now (index entries whose block was lifted or expired are left out).
   * `max` is the tenant's current brute-force limit: a block counted toward another limit no longer
   * holds (pairKey). Absent, every block still counted is listed.
   */
  blocks(subject: LoginSubject, max?: number): Promise<LoginBlock[]>;
  /** Lifts every block of a subject, with its counter. */
  unblock(subject: LoginSubject): Promise<void>;
}

interface IndexEntry extends LoginBlock {
  /** When the block began (ms since the epoch), to drop entries older than any block can live. */
  at: number;
  /** The limit the block was counted toward (absent in entries of earlier releases: the default). */
  max?: number;
}

const NOTHING_COUNTED: LoginAttempt = { succeeded: async () => {}, failed: async () => false };

export function createLoginAttempts(kv: KvStore): LoginAttempts {
  const { perUserIp, signupPerIp } = LOGIN_LIMITS;
  // `{tenant}` is a Redis hash tag: the keys one reservation touches stay on one node of a cluster.
  const tenantScope = (tenantId: string) => `login-attempts:{${tenantId}}:`;
  const subjectKey = (subject: LoginSubject) =>
    'userId' in subject
      ? `u:${encodeURIComponent(subject.userId)}`
      : // Hashed: a bounded key whatever was typed, and no separator inside it.
        `i:${createHash('sha256').update(normalizeIdentifier(subject.identifier)).digest('base64url')}`;
  // A pair counts toward one limit: a tenant that changes max_attempts starts every count over (and
  // so lifts the blocks in force) instead of blocking at once everyone already past a lowered limit.
  // The default limit keeps the suffix-less key of earlier releases.
  const pairKey = (subject: LoginSubject, ip: string, max: number) =>
    `${tenantScope(subject.tenantId)}pair:${subjectKey(subject)}:${ip}${max === perUserIp.max ? '' : `:m${max}`}`;
  const ipKey = (tenantId: string, ip: string) => `${tenantScope(tenantId)}ip:${ip}`;
  const indexKey = (subject: LoginSubject) => `${tenantScope(subject.tenantId)}blocks:${subjectKey(subject)}`;

  async function readIndex(subject: LoginSubject): Promise<{ raw: string | null; entries: IndexEntry[] }> {
    const raw = (await kv.get(indexKey(subject))) ?? null;
    return { raw, entries: raw === null ? [] : (JSON.parse(raw) as IndexEntry[]) };
  }

  /** Adds `ip` to the subject's index with compare-and-set, retried while concurrent blocks race it. */
  async function indexBlock(subject: LoginSubject, block: LoginBlock, max: number): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { raw, entries } = await readIndex(subject);
      const now = Date.now();
      const kept = entries.filter((e) => e.ip !== block.ip && e.at > now - perUserIp.lifetimeMs);
      const next = [...kept, { ...block, at: now, max }].slice(-MAX_INDEXED_BLOCKS);
      if (await kv.compareAndSet(indexKey(subject), raw, JSON.stringify(next), perUserIp.lifetimeMs)) return;
    }
    throw new Error('could not record a login block: the index kept changing');
  }

  return {
    async reserve(subject, ip, limits = DEFAULT_LOGIN_LIMITS) {
      const pair = limits.perUserIp && {
        key: pairKey(subject, ip, limits.perUserIp.max),
        max: limits.perUserIp.max,
        ttlMs: perUserIp.lifetimeMs,
        sliding: true,
      };
      const perIp = limits.perIp && {
        key: ipKey(subject.tenantId, ip),
        max: limits.perIp.max,
        ttlMs: limits.perIp.windowMs,
      };
      const counters = [pair, perIp].filter((counter) => counter !== null);
      // Both shields off for this IP (disabled, or allowlisted): nothing to count.
      if (counters.length === 0) return { allowed: true, attempt: NOTHING_COUNTED };
      const { reserved, counts, ttlsMs } = await kv.reserve(counters);
      const pairCount = pair ? counts[0]! : 0;
      if (!reserved) {
        if (pair && pairCount >= pair.max) return { allowed: false, reason: 'blocked' };
        const ipTtl = ttlsMs[pair ? 1 : 0];
        return { allowed: false, reason: 'throttled', retryAfterMs: ipTtl ?? perIp?.ttlMs ?? 0 };
      }
      const release = counters.map((counter) =>
        counter === pair ? { key: counter.key, reset: true } : { key: counter.key },
      );
      return {
        allowed: true,
        attempt: {
          succeeded: () => kv.release(release),
          async failed(identifier) {
            // Exactly one reservation reaches the max (reserve is atomic): its failure begins the block.
            if (!pair || pairCount !== pair.max) return false;
            await indexBlock(subject, { identifier: normalizeIdentifier(identifier), ip }, pair.max);
            return true;
          },
        },
      };
    },

    async signupAttempt(tenantId, ip, limit = signupPerIp) {
      if (limit === null) return 0;
      const { reserved, ttlsMs } = await kv.reserve([
        { key: `${tenantScope(tenantId)}signup:${ip}`, max: limit.max, ttlMs: limit.windowMs },
      ]);
      return reserved ? 0 : (ttlsMs[0] ?? limit.windowMs);
    },

    async blocks(subject, max) {
      const { entries } = await readIndex(subject);
      const limitOf = (e: IndexEntry) => e.max ?? perUserIp.max;
      const counts = await Promise.all(entries.map((e) => kv.get(pairKey(subject, e.ip, limitOf(e)))));
      return entries
        .filter((e, i) => (max === undefined || limitOf(e) === max) && Number(counts[i] ?? 0) >= limitOf(e))
        .map(({ identifier, ip }) => ({ identifier, ip }));
    },

    async unblock(subject) {
      const { raw, entries } = await readIndex(subject);
      // The counters first: a block that began meanwhile stays indexed (the compare-and-set then fails).
      await Promise.all(entries.map((e) => kv.delete(pairKey(subject, e.ip, e.max ?? perUserIp.max))));
      if (raw !== null) await kv.compareAndSet(indexKey(subject), raw, null);
    },
  };
}
