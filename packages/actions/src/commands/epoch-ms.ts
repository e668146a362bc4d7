import { typeName } from './checks.ts';

/** Below this, a "milliseconds since the epoch" value is before 2001-09-09: almost surely seconds. */
const SECONDS_THRESHOLD = 1e12;
/** ECMAScript's largest time value (§21.4.1.1): later instants cannot be a Date. */
const MAX_TIME = 8.64e15;

/**
 * Auth0 takes session and refresh-token expiries in milliseconds since the Unix epoch. Passing
 * seconds (the JWT habit) would silently expire the session in 1970, so such values are refused with
 * the fix in the message.
 */
export function epochMsProblem(value: unknown, where: string): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    const got = typeof value === 'number' ? String(value) : typeName(value);
    return `${where} must be a positive integer of milliseconds since the Unix epoch (got ${got})`;
  }
  if (value < SECONDS_THRESHOLD) {
    return `${where} looks like seconds (${value}); pass milliseconds since the Unix epoch, e.g. Date.now() + 3600 * 1000`;
  }
  if (value > MAX_TIME) return `${where} is later than the latest date JavaScript can represent`;
  return undefined;
}
