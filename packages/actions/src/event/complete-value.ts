import { child, copyJson, isPlainObject, safeKeys } from './plain-json.ts';
import type { DictionaryValues, ObjectShape, Shape } from './shape.ts';

/**
 * `patch` merged over `base` as `shape` describes, validated, as a fresh deep copy. `undefined` in the
 * patch keeps the base; `null` removes an optional value. Known objects merge field by field; lists,
 * string arrays and dictionaries are replaced as a whole. Keys the shape does not know are kept (as
 * validated JSON): a payload copied from Auth0 may carry fields Tessera does not model, and scripts may
 * read them. Throws TypeError naming the path of the first bad value.
 */
export function completeValue(shape: Shape, base: unknown, patch: unknown, path: string): unknown {
  if (patch === undefined) {
    if (base !== undefined) return copyJson(base, path);
    if (shape.optional) return undefined;
    throw new TypeError(`${path} ${expectation(shape)}`);
  }
  if (patch === null) {
    if (shape.optional) return undefined;
    throw new TypeError(`${path} ${expectation(shape)}`);
  }
  switch (shape.kind) {
    case 'string':
      if (typeof patch !== 'string' || (shape.oneOf !== undefined && !shape.oneOf.includes(patch))) {
        throw new TypeError(`${path} ${expectation(shape)}`);
      }
      return patch;
    case 'number':
      if (typeof patch !== 'number' || !Number.isFinite(patch))
        throw new TypeError(`${path} must be a number`);
      return patch;
    case 'boolean':
      if (typeof patch !== 'boolean') throw new TypeError(`${path} must be a boolean`);
      return patch;
    case 'strings':
      return completeStrings(patch, path);
    case 'dictionary':
      return completeDictionary(shape.values, patch, path);
    case 'list':
      if (!Array.isArray(patch)) throw new TypeError(`${path} must be an array`);
      return patch.map((item, index) => completeValue(shape.items, undefined, item, `${path}[${index}]`));
    case 'object':
      return completeObject(shape, base, patch, path);
  }
}

function expectation(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return shape.oneOf === undefined ? 'must be a string' : `must be one of: ${shape.oneOf.join(', ')}`;
    case 'number':
      return 'must be a number';
    case 'boolean':
      return 'must be a boolean';
    case 'strings':
      return 'must be an array of strings';
    case 'list':
      return 'must be an array';
    case 'dictionary':
    case 'object':
      return 'must be an object';
  }
}

function completeStrings(patch: unknown, path: string): string[] {
  if (!Array.isArray(patch)) throw new TypeError(`${path} must be an array of strings`);
  return patch.map((item, index) => {
    if (typeof item !== 'string') throw new TypeError(`${path}[${index}] must be a string`);
    return item;
  });
}

function completeDictionary(values: DictionaryValues, patch: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(patch)) throw new TypeError(`${path} must be an object`);
  const copy = copyJson(patch, path) as Record<string, unknown>;
  for (const [key, value] of Object.entries(copy)) {
    if (values === 'string' && typeof value !== 'string') {
      throw new TypeError(`${child(path, key)} must be a string`);
    }
    if (values === 'scalar' && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new TypeError(`${child(path, key)} must be a string, number or boolean`);
    }
  }
  return copy;
}

function completeObject(
  shape: ObjectShape,
  base: unknown,
  patch: unknown,
  path: string,
): Record<string, unknown> {
  if (!isPlainObject(patch)) throw new TypeError(`${path} must be an object`);
  const patchKeys = safeKeys(patch, path);
  // Templates are the package's own samples, plain objects by construction.
  const start = shape.whole
    ? undefined
    : isPlainObject(base)
      ? base
      : (shape.template?.() as Record<string, unknown> | undefined);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape.fields)) {
    const given = Object.hasOwn(patch, name) ? patch[name] : undefined;
    const value = completeValue(field, start?.[name], given, child(path, name));
    if (value !== undefined) out[name] = value;
  }
  for (const key of patchKeys) {
    if (Object.hasOwn(shape.fields, key) || patch[key] === undefined || patch[key] === null) continue;
    out[key] = copyJson(patch[key], child(path, key));
  }
  return out;
}
