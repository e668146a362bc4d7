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
 * KEYS: the counters; ARGV: max, window in ms and sliding ('1'|'0') of each, in order. Every counter is
 * read and checked before any is written, so a refusal (or a value that is no counter) changes
 * nothing. Returns { reserved (1|0), count1, pttl1, count2, pttl2, … }.
 */
export const reserveLua = `
local counts = {}
local reserved = 1
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  local count = 0
  if value then
    count = tonumber(value)
    if count == nil or count ~= math.floor(count) then
      return redis.error_reply('ERR value is not an integer or out of range')
    end
  end
  counts[i] = count
  if count >= tonumber(ARGV[3 * i - 2]) then reserved = 0 end
end
if reserved == 1 then
  for i = 1, #KEYS do
    counts[i] = redis.call('INCR', KEYS[i])
    if ARGV[3 * i] == '1' then
      redis.call('PEXPIRE', KEYS[i], ARGV[3 * i - 1])
    else
      redis.call('PEXPIRE', KEYS[i], ARGV[3 * i - 1], 'NX')
    end
  end
end
local result = { reserved }
for i = 1, #KEYS do
  result[2 * i] = counts[i]
  result[2 * i + 1] = redis.call('PTTL', KEYS[i])
end
return result
`;

/**
 * KEYS: the counters; ARGV: reset ('1'|'0') of each. DECR keeps the key's lifetime; a counter that
 * would reach zero is deleted instead, so no key lingers at 0 or below. Every value is checked first.
 */
export const releaseLua = `
local counts = {}
for i = 1, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if value and ARGV[i] ~= '1' then
    counts[i] = tonumber(value)
    if counts[i] == nil then return redis.error_reply('ERR value is not an integer or out of range') end
  end
end
for i = 1, #KEYS do
  if ARGV[i] == '1' or (counts[i] ~= nil and counts[i] <= 1) then
    redis.call('DEL', KEYS[i])
  elseif counts[i] ~= nil then
    redis.call('DECR', KEYS[i])
  end
end
return 1
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
  kvReserve(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  kvRelease(numberOfKeys: number, ...keysThenArgs: string[]): Promise<number>;
}
