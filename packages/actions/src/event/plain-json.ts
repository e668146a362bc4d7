// Checks on untrusted JSON-ish input (a partial event from a file or a test payload): the values that
// can cross into a sandbox are plain JSON, and no key can reach a prototype when the event is later
// copied or merged by code less careful than this.

/** Keys that alter prototypes when assigned or merged (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deep enough for any real metadata; stops cycles in programmatic input. */
const MAX_DEPTH = 64;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `event.user` + `app_metadata`; keys that are not identifiers read as `["x-y"]`. */
export function child(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The own keys of a plain object, after refusing the forbidden ones. */
export function safeKeys(value: Record<string, unknown>, path: string): string[] {
  const keys = Object.keys(value);
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key))
      throw new TypeError(`${child(path, key)} is not allowed (forbidden key "${key}")`);
  }
  return keys;
}

/** A validated deep copy of a JSON value; TypeError naming the path of the first bad value. */
export function copyJson(value: unknown, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TypeError(`${path} is nested too deeply`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} must be a finite number`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => copyJson(item, `${path}[${index}]`, depth + 1));
  if (!isPlainObject(value)) throw new TypeError(`${path} must be a JSON value`);
  const out: Record<string, unknown> = {};
  for (const key of safeKeys(value, path)) {
    // An undefined property is an absent one, as in JSON.stringify.
    if (value[key] !== undefined) out[key] = copyJson(value[key], child(path, key), depth + 1);
  }
  return out;
}
