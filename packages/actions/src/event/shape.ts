// A small description of the event's shape, enough to validate a user-written partial event and merge
// it over a complete one (complete-value.ts). Plain data, so the event's shape reads as one literal in
// event-shape.ts instead of a page of if-statements.

export type Shape =
  | { kind: 'string'; optional: boolean; oneOf?: readonly string[] }
  | { kind: 'number'; optional: boolean }
  | { kind: 'boolean'; optional: boolean }
  /** An array of strings, replaced as a whole. */
  | { kind: 'strings'; optional: boolean }
  /** Free-form keys, replaced as a whole (metadata, query…): merging two users' metadata means nothing. */
  | { kind: 'dictionary'; optional: boolean; values: DictionaryValues }
  /** An array of complete objects, replaced as a whole. */
  | { kind: 'list'; optional: boolean; items: ObjectShape }
  | ObjectShape;

/** `scalar`: string, number or boolean (transaction metadata); `json`: any JSON value. */
export type DictionaryValues = 'string' | 'scalar' | 'json';

export interface ObjectShape {
  kind: 'object';
  optional: boolean;
  fields: Readonly<Record<string, Shape>>;
  /** Merged field by field over the base, unless `whole` (a set of fields that only make sense together). */
  whole?: boolean;
  /** What a partial completes when the base has no such object (an optional section the default lacks). */
  template?: () => object;
}

export const string = (oneOf?: readonly string[]): Shape => ({ kind: 'string', optional: false, oneOf });
export const number = (): Shape => ({ kind: 'number', optional: false });
export const boolean = (): Shape => ({ kind: 'boolean', optional: false });
export const strings = (): Shape => ({ kind: 'strings', optional: false });
export const dictionary = (values: DictionaryValues): Shape => ({
  kind: 'dictionary',
  optional: false,
  values,
});
export const list = (items: ObjectShape): Shape => ({ kind: 'list', optional: false, items });
export const object = (
  fields: Record<string, Shape>,
  options: { whole?: boolean; template?: () => object } = {},
): ObjectShape => ({ kind: 'object', optional: false, fields, ...options });

/** May be absent; `null` in a partial removes it. */
export const optional = <S extends Shape>(shape: S): S => ({ ...shape, optional: true });
