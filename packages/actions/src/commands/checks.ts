/**
 * Small argument checks shared by the validators. Every message names the api method and the
 * argument, says what was expected and what came instead, so a tenant reading the execution log can
 * fix the call without knowing Tessera's code.
 */

/**
 * Keys that change what an object inherits when written with `obj[key] = …` or merged by a naive
 * deep-merge (docs/security.md#7). JSON.parse creates them as harmless own properties, but the login layer
 * merges metadata and claims into host objects later, so they are refused at the boundary.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** "a string", "an array", "null"… for "(got …)" in messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** A tenant-supplied string quoted for a message, cut short so a message never echoes a flood. */
export function quote(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** Arguments come from JSON.parse, so "plain object" is simply "object, not null, not array". */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Returns an error message, or undefined when `value` is a non-empty string. */
export function nonEmptyString(value: unknown, where: string): string | undefined {
  if (typeof value !== 'string') return `${where} must be a non-empty string (got ${typeName(value)})`;
  if (value === '') return `${where} must be a non-empty string (got an empty string)`;
  return undefined;
}

/** A key that will become a property name on a host object: non-empty and not reserved. */
export function propertyKey(value: unknown, where: string): string | undefined {
  const problem = nonEmptyString(value, where);
  if (problem !== undefined) return problem;
  if (isReservedKey(value as string)) {
    return `${where} ${quote(value as string)} is a reserved JavaScript property name and cannot be used`;
  }
  return undefined;
}

/** Optional options object: undefined, or an object. */
export function optionalObject(value: unknown, where: string): string | undefined {
  if (value === undefined || isPlainObject(value)) return undefined;
  return `${where} must be an object (got ${typeName(value)})`;
}

export function optionalBoolean(value: unknown, where: string): string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  return `${where} must be a boolean (got ${typeName(value)})`;
}

export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  where: string,
): string | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return undefined;
  const got = typeof value === 'string' ? quote(value) : typeName(value);
  return `${where} must be one of ${allowed.join(', ')} (got ${got})`;
}
