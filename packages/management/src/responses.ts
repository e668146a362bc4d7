import type { RouteOptions } from 'fastify';

/**
 * Response schemas. Every Management API route declares the schema of its success answer: the
 * serializer writes only the properties a schema names, so a field added to a stored record never
 * reaches the wire by accident, and answers are serialized from a compiled schema.
 *
 * Careful with what the serializer does (fast-json-stringify): it drops unnamed properties, and
 * coerces a value to its declared type (`null` as a `string` becomes `""`). So: a property whose
 * value may be null or of several types is declared ANY; free-form objects (metadata, add-ons,
 * options, settings) are FREE_OBJECT; and since `fields` / `include_fields` may drop any property,
 * no property of an answer is `required`.
 */

/** Any JSON value, written as JSON.stringify writes it. */
export const ANY = {} as const;
/** A free-form object: every property kept as sent and stored (app_metadata, client_metadata…). */
export const FREE_OBJECT = { type: 'object', additionalProperties: true } as const;
export const STRING = { type: 'string' } as const;
export const BOOLEAN = { type: 'boolean' } as const;
export const INTEGER = { type: 'integer' } as const;
export const STRINGS = { type: 'array', items: STRING } as const;
/** An answer with nothing in it (`{}`): nothing can leak through it. */
export const EMPTY_OBJECT = { type: 'object', additionalProperties: false, properties: {} } as const;

/** An object with exactly these properties (each optional: a projection may drop it). */
export const object = <const P extends Record<string, object>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, properties }) as const;

export const arrayOf = <const I extends object>(items: I) => ({ type: 'array', items }) as const;

/**
 * An answer without a body (Fastify sends none for a 204; a 201 of a link is sent empty). A schema
 * without a type, so `reply.send()` takes no payload.
 */
export const NO_BODY = { description: 'No body.' } as const;
export const NO_CONTENT = { 204: NO_BODY } as const;
export const CREATED_EMPTY = { 201: NO_BODY } as const;

/**
 * An Auth0 offset list (query.ts `listResponse`): a bare array, or with `include_totals=true`
 * `{ <name>: [...], start, limit, length?, total }`. Told apart by `if` on the type alone, never by
 * `anyOf`: the serializer picks an `anyOf` branch by validating the whole answer against it, so one
 * stored property a closed schema does not name would fail every branch (a 500), where it must
 * merely be left out.
 */
export const offsetList = <const N extends string, const I extends object>(name: N, items: I) =>
  ({
    type: ['array', 'object'],
    if: { type: 'array' },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a thenable
    then: arrayOf(items),
    else: {
      type: 'object',
      additionalProperties: false,
      properties: {
        [name]: arrayOf(items),
        start: INTEGER,
        limit: INTEGER,
        length: INTEGER,
        total: INTEGER,
      } as { [K in N]: { type: 'array'; items: I } } & {
        start: typeof INTEGER;
        limit: typeof INTEGER;
        length: typeof INTEGER;
        total: typeof INTEGER;
      },
    },
  }) as const;

/** An Auth0 list that is always wrapped: `{ <name>: [...], ...others }` (checkpoint, actions lists). */
export const wrappedList = <
  const N extends string,
  const I extends object,
  const P extends Record<string, object> = Record<never, never>,
>(
  name: N,
  items: I,
  others: P = {} as P,
) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { [name]: arrayOf(items), ...others } as { [K in N]: { type: 'array'; items: I } } & P,
  }) as const;

/** Checkpoint paging's extra member: the id the next page starts after. */
export const NEXT = { next: STRING } as const;

/** `onRoute`: a route without a schema for a success status is refused at boot, loudly. */
export function requireSuccessSchema(route: RouteOptions): void {
  const response = (route.schema?.response ?? {}) as Record<string, unknown>;
  if (!Object.keys(response).some((status) => /^2(\d\d|xx)$/.test(status)))
    throw new Error(`management api: ${route.method} ${route.url} declares no success response schema`);
}

/**
 * A list in either of Auth0's paging modes: offset (offsetList) or, when the query names `from` or
 * `take`, checkpoint (`{ <name>: [...], next? }`): one wrapper schema serves both, none of its
 * members being required.
 */
export const offsetOrCheckpointList = <const N extends string, const I extends object>(name: N, items: I) => {
  const list = offsetList(name, items);
  return {
    ...list,
    else: { ...list.else, properties: { ...list.else.properties, ...NEXT } },
  } as const;
};
