import type { DateInput, ListInput } from './build-event-input.ts';

/** ISO 8601, as Auth0 writes every date of the event. */
export function iso(date: DateInput, path: string): string {
  const parsed = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(parsed.getTime())) throw new RangeError(`${path} is not a valid date`);
  return parsed.toISOString();
}

export function isoOrAbsent(date: DateInput | null | undefined, path: string): string | undefined {
  return date === null || date === undefined ? undefined : iso(date, path);
}

/** `openid profile` → ['openid', 'profile']; a list is copied. */
export function list(value: ListInput | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? value.split(/\s+/).filter((item) => item !== '') : [...value];
}

export function listOrAbsent(value: ListInput | undefined): string[] | undefined {
  return value === undefined ? undefined : list(value);
}

/** Storage says "not set" with null; Auth0's event leaves the field out. */
export function absentIfNull<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

/**
 * A deep copy that is plain JSON: only objects and arrays with the standard prototypes, no undefined
 * values (dropped from objects, null in arrays), dates as ISO strings, no reference shared with the
 * input. The JSON round trip is the one operation that guarantees all of that at once; a `__proto__`
 * key in stored metadata comes back as an own data property, never as a prototype.
 */
export function plainJson<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
