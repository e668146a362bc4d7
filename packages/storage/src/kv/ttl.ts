/**
 * Lifetimes shared by both stores so they round the same way: Redis `PX` takes whole milliseconds and
 * rejects 0, so a fractional ttl is rounded up (a 0.5 ms ttl must still expire, not live forever).
 */

/** A positive finite ttl in whole ms; anything else means "no expiry", as the `KvStore.set` port says. */
export function lifetimeMs(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined || !(ttlMs > 0) || ttlMs === Number.POSITIVE_INFINITY) return undefined;
  return Math.ceil(ttlMs);
}

/**
 * A counter window must expire: a rate limit whose window silently became "forever" would lock a user
 * out for good, so a bad window is a programming error, not a value to guess at.
 */
export function windowMs(ttlMs: number): number {
  const ms = lifetimeMs(ttlMs);
  if (ms === undefined) throw new RangeError(`a counter needs a positive finite window, got ${ttlMs}`);
  return ms;
}

/** The `max` of a reserved counter: a positive integer, or the reservation could never (or always) win. */
export function counterMax(max: number): number {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`reserve needs a positive integer max, got ${max}`);
  return max;
}
