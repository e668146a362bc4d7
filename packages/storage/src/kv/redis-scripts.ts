/**
 * Lua scripts for the operations Redis has no single command for. A script runs atomically on the
 * server, so no other client can act between its read and its write.
 */

/**
 * KEYS[1] key; ARGV: hasExpected ('1'|'0'), expected, hasNext ('1'|'0'), next, ttlMs ('' keeps the
 * current lifetime, which is what KEEPTTL does; on an absent key that means no expiry).
 * GET gives Lua `false` for an absent key, which never equals a string.
 */
export const compareAndSetLua = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] ~= '' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
end
return 1
`;

/**
 * KEYS[1] counter; ARGV[1] window in ms. PEXPIRE NX (Redis >= 7.0) only sets an expiry on a key without
 * one, so the window starts at the first increment; doing INCR and PEXPIRE in separate round trips could
 * leave a counter without expiry (a permanent lockout) if the process died in between.
 */
export const incrementLua = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return count
`;

/** The commands `defineCommand` adds (EVALSHA, falling back to EVAL when the script cache was flushed). */
export interface KvScripts {
  kvCompareAndSet(
    key: string,
    hasExpected: '0' | '1',
    expected: string,
    hasNext: '0' | '1',
    next: string,
    ttlMs: string,
  ): Promise<number>;
  kvIncrement(key: string, windowMs: number): Promise<number>;
}
