import { isJsonObject } from '@tessera/core';
/**
 * Auth0's attack-protection settings of a tenant, in Auth0's shapes (`/api/v2/attack-protection/*`),
 * kept with the tenant's settings: the login pages read them from the tenant the request already
 * carries (the Host → tenant cache), so enforcing them costs no database read per login.
 *
 * Each leaf is its own settings key (`brute-force-protection.max_attempts`, …): the tenant repository
 * merges settings per key in one statement, so two administrators changing different fields at once
 * cannot undo each other, and a PATCH naming one field leaves the others as they are.
 */

export type BruteForceShield = 'block' | 'user_notification';
export type SuspiciousIpShield = 'block' | 'admin_notification';

export interface ThrottleStage {
  /** Attempts one IP may make before it is throttled. */
  max_attempts: number;
  /** Auth0 grants one attempt back every `rate` ms; Tessera counts the budget in a window of max_attempts × rate. */
  rate: number;
}

export interface BruteForceProtection {
  enabled: boolean;
  shields: BruteForceShield[];
  /** IPv4, IPv6 or CIDR entries never blocked. */
  allowlist: string[];
  /** Failures are counted per user and IP only: a per-user count would let anyone lock a user out (docs/security.md#42). */
  mode: 'count_per_identifier_and_ip';
  max_attempts: number;
}

export interface SuspiciousIpThrottling {
  enabled: boolean;
  shields: SuspiciousIpShield[];
  allowlist: string[];
  stage: { 'pre-login': ThrottleStage; 'pre-user-registration': ThrottleStage };
}

/** Stored as configured, never enforced: Tessera checks no password against breach corpora. */
export interface BreachedPasswordDetection {
  enabled: false;
  shields: string[];
  admin_notification_frequency: string[];
  method: string;
  stage: { 'pre-user-registration': { shields: string[] }; 'pre-change-password': { shields: string[] } };
}

/**
 * What a tenant that never changed them gets: Tessera's protection as it always was. Brute force is
 * Auth0's default (10 failures per user and IP, blocking). The pre-login budget is Auth0's default too
 * (100 failures, one regranted every 864 s: a one-day window); sign-ups keep Tessera's 20 attempts per
 * 15 minutes (45 s × 20), stricter than Auth0's 50 per day because a refused sign-up tells whether an
 * email is taken. No notification shield: Tessera sends no mail (docs/oidc.md#behaviour).
 */
export const ATTACK_PROTECTION_DEFAULTS = {
  'brute-force-protection': {
    enabled: true,
    shields: ['block'],
    allowlist: [],
    mode: 'count_per_identifier_and_ip',
    max_attempts: 10,
  } satisfies BruteForceProtection as BruteForceProtection,
  'suspicious-ip-throttling': {
    enabled: true,
    shields: ['block'],
    allowlist: [],
    stage: {
      'pre-login': { max_attempts: 100, rate: 864_000 },
      'pre-user-registration': { max_attempts: 20, rate: 45_000 },
    },
  } satisfies SuspiciousIpThrottling as SuspiciousIpThrottling,
  'breached-password-detection': {
    enabled: false,
    shields: [],
    admin_notification_frequency: [],
    method: 'standard',
    stage: { 'pre-user-registration': { shields: [] }, 'pre-change-password': { shields: [] } },
  } satisfies BreachedPasswordDetection as BreachedPasswordDetection,
};

export type AttackProtectionResource = keyof typeof ATTACK_PROTECTION_DEFAULTS;
type Settings = Readonly<Record<string, unknown>>;

/**
 * A resource as the tenant has it: each stored leaf that has the default's type, the default for any
 * other (a value an operator mistyped in the database never reaches a login as something else).
 */
export function attackProtectionOf<R extends AttackProtectionResource>(
  settings: Settings,
  resource: R,
): (typeof ATTACK_PROTECTION_DEFAULTS)[R] {
  return read(
    settings,
    resource,
    ATTACK_PROTECTION_DEFAULTS[resource],
  ) as (typeof ATTACK_PROTECTION_DEFAULTS)[R];
}

/** The settings keys a validated partial of `resource` changes (for TenantRepository.updateSettings). */
export function attackProtectionChanges(
  resource: AttackProtectionResource,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const walk = (prefix: string, value: unknown) => {
    if (isJsonObject(value))
      for (const [key, inner] of Object.entries(value)) walk(`${prefix}.${key}`, inner);
    else changes[prefix] = value;
  };
  walk(resource, patch);
  return changes;
}

function read(settings: Settings, prefix: string, fallback: unknown): unknown {
  if (isJsonObject(fallback)) {
    return Object.fromEntries(
      Object.entries(fallback).map(([key, inner]) => [key, read(settings, `${prefix}.${key}`, inner)]),
    );
  }
  const stored = Object.hasOwn(settings, prefix) ? settings[prefix] : undefined;
  if (Array.isArray(fallback)) {
    return Array.isArray(stored) && stored.every((item) => typeof item === 'string') ? stored : fallback;
  }
  return typeof stored === typeof fallback ? stored : fallback;
}
