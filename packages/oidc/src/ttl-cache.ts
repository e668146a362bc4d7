/**
 * A small read-through cache for data that rarely changes and is read on every protocol request
 * (clients, APIs, client grants). Entries live `ttlMs`, so a change made anywhere shows on every
 * process within that time; at most `max` entries are kept (the oldest go first), so lookups of
 * random ids cannot grow memory. `undefined` results are not cached.
 */
export function createTtlCache<V>(ttlMs: number, max = 1_000) {
  const entries = new Map<string, { value: V; expires: number }>();
  return {
    async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      const value = await load();
      if (value === undefined) {
        entries.delete(key);
        return undefined;
      }
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expires: now + ttlMs });
      return value;
    },
  };
}
