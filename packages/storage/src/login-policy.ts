import { BlockList, isIP, isIPv4 } from 'node:net';
import { attackProtectionOf, type ThrottleStage } from './attack-protection.ts';

/** The limits one attempt from one IP is counted against; null: that shield does not apply to it. */
export interface LoginLimits {
  /** Brute-force protection: failures for one user from this IP before this IP is blocked for that user. */
  perUserIp: { max: number } | null;
  /** Suspicious IP throttling: failed logins from this IP across accounts within the window. */
  perIp: { max: number; windowMs: number } | null;
}

/** Suspicious IP throttling of sign-ups: attempts from this IP within the window. */
export type SignupLimit = { max: number; windowMs: number } | null;

interface Compiled {
  bruteForce: { max: number; allow: BlockList } | null;
  preLogin: { max: number; windowMs: number; allow: BlockList } | null;
  signup: { max: number; windowMs: number; allow: BlockList } | null;
}

// The tenant object (and its settings) is reused for seconds by the Host → tenant cache: the
// allowlists are parsed once per settings object, not once per login.
const compiled = new WeakMap<object, Compiled>();

/** The login limits a tenant's attack-protection settings put on an attempt from `ip`. */
export function loginLimits(settings: Readonly<Record<string, unknown>>, ip: string): LoginLimits {
  const { bruteForce, preLogin } = compile(settings);
  const address = plainAddress(ip);
  return {
    perUserIp: bruteForce && !allowed(bruteForce.allow, address) ? { max: bruteForce.max } : null,
    perIp:
      preLogin && !allowed(preLogin.allow, address)
        ? { max: preLogin.max, windowMs: preLogin.windowMs }
        : null,
  };
}

/** The sign-up limit (Auth0's pre-user-registration stage) on an attempt from `ip`. */
export function signupLimit(settings: Readonly<Record<string, unknown>>, ip: string): SignupLimit {
  const { signup } = compile(settings);
  return signup && !allowed(signup.allow, plainAddress(ip))
    ? { max: signup.max, windowMs: signup.windowMs }
    : null;
}

function compile(settings: Readonly<Record<string, unknown>>): Compiled {
  const cached = compiled.get(settings);
  if (cached) return cached;
  const brute = attackProtectionOf(settings, 'brute-force-protection');
  const ips = attackProtectionOf(settings, 'suspicious-ip-throttling');
  // A shield set without `block` only notifies (Auth0): nothing is refused.
  const blocks = brute.enabled && brute.shields.includes('block');
  const throttles = ips.enabled && ips.shields.includes('block');
  const ipAllow = blockList(ips.allowlist);
  const stage = (s: ThrottleStage) => ({
    max: s.max_attempts,
    windowMs: s.max_attempts * s.rate,
    allow: ipAllow,
  });
  const result: Compiled = {
    bruteForce: blocks ? { max: brute.max_attempts, allow: blockList(brute.allowlist) } : null,
    preLogin: throttles ? stage(ips.stage['pre-login']) : null,
    signup: throttles ? stage(ips.stage['pre-user-registration']) : null,
  };
  compiled.set(settings, result);
  return result;
}

/** An allowlist entry (IPv4, IPv6, or either as CIDR), or undefined when it is none of them. */
export function parseAllowlistEntry(
  entry: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const bits = version === 4 ? 32 : 128;
  if (prefix === undefined) return { address, prefix: bits, family: version === 4 ? 'ipv4' : 'ipv6' };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return undefined;
  return { address, prefix: Number(prefix), family: version === 4 ? 'ipv4' : 'ipv6' };
}

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseAllowlistEntry(entry);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/** An IPv4 client seen through an IPv6 socket (`::ffff:198.51.100.7`) is matched as the IPv4 it is. */
function plainAddress(ip: string): string {
  const mapped = /^::ffff:(.+)$/i.exec(ip)?.[1];
  return mapped && isIPv4(mapped) ? mapped : ip;
}

function allowed(list: BlockList, ip: string): boolean {
  const version = isIP(ip);
  return version !== 0 && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
