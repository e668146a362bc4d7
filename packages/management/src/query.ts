import type { FromSchema } from 'json-schema-to-ts';
import { invalidQuery } from './errors.ts';

/**
 * Auth0's list conventions: `page` (zero-based), `per_page` (default 50, at most 100),
 * `include_totals` (wrap the list as `{ <name>: [...], start, limit, length, total }`), and
 * `fields` / `include_fields` (a comma-separated projection, kept or dropped).
 */
const PAGING = {
  page: { type: 'integer', minimum: 0, maximum: 100_000 },
  per_page: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

const TOTALS = { include_totals: { type: 'boolean' } } as const;

export const FIELDS_QUERY = {
  fields: { type: 'string', maxLength: 2048 },
  include_fields: { type: 'boolean' },
} as const;

/** Auth0's checkpoint paging (`from` / `take`, answered as `{ <name>, next }`). */
export const CHECKPOINT_QUERY = {
  from: { type: 'string', maxLength: 1024 },
  take: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

interface ListOptions {
  /** `fields` / `include_fields` are accepted (the list's items are projected). */
  fields?: boolean;
  /**
   * `include_totals` is accepted (default). Auth0's actions lists (`{ <name>, total, page, per_page }`
   * whatever the query) take `page` / `per_page` only.
   */
  totals?: boolean;
}

type Properties = Record<string, object>;

type ListProperties<E extends Properties, O extends ListOptions> = typeof PAGING &
  (O extends { totals: false } ? unknown : typeof TOTALS) &
  (O extends { fields: true } ? typeof FIELDS_QUERY : unknown) &
  E;

type Nothing = Record<never, never>;

/**
 * The query schema of every list route: Auth0's paging (ListOptions says which parts), then the
 * route's own filters (`extra`). Unknown parameters are refused (docs/security.md#40).
 */
export function listQuery<const E extends Properties = Nothing, const O extends ListOptions = Nothing>(
  extra: E = {} as E,
  options: O = {} as O,
): { type: 'object'; additionalProperties: false; properties: ListProperties<E, O> } {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...PAGING,
      ...(options.totals === false ? {} : TOTALS),
      ...(options.fields === true ? FIELDS_QUERY : {}),
      ...extra,
    } as ListProperties<E, O>,
  };
}

/** The query schema of a route reading one resource: only `fields` / `include_fields`. */
export const FIELDS_ONLY = { type: 'object', additionalProperties: false, properties: FIELDS_QUERY } as const;

const PAGE_ONLY = listQuery();
export type PageQuery = FromSchema<typeof PAGE_ONLY>;
export type FieldsQuery = FromSchema<typeof FIELDS_ONLY>;

export const DEFAULT_PER_PAGE = 50;

export function pageOf(
  query: Pick<PageQuery, 'page' | 'per_page'>,
  perPageByDefault = DEFAULT_PER_PAGE,
): { page: number; perPage: number; skip: number } {
  const page = query.page ?? 0;
  const perPage = query.per_page ?? perPageByDefault;
  return { page, perPage, skip: page * perPage };
}

/** A page of a list the caller already holds in full (small collections: roles, clients, APIs). */
export function slicePage<T>(items: readonly T[], query: PageQuery): T[] {
  const { skip, perPage } = pageOf(query);
  return items.slice(skip, skip + perPage);
}

/**
 * The list as Auth0 answers it: a bare array, or with totals when `include_totals=true`. Some of
 * Auth0's wrappers carry `length` (users, logs, connections…), others not (clients, roles, forms…).
 */
export function listResponse<T>(
  name: string,
  items: T[],
  total: number,
  query: PageQuery,
  options: { length?: boolean } = {},
) {
  if (!query.include_totals) return items;
  const { skip, perPage } = pageOf(query);
  const length = options.length === false ? {} : { length: items.length };
  return { [name]: items, start: skip, limit: perPage, ...length, total };
}

/** Applies `fields` / `include_fields` to one object (top-level names, Auth0's semantics). */
export function project<T extends object>(item: T, query: FieldsQuery): Partial<T> {
  if (query.fields === undefined || query.fields.trim() === '') return item;
  const names = query.fields.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[A-Za-z0-9_.]+$/.test(name))) {
    throw invalidQuery(`Query validation error: 'fields' must be a comma-separated list of field names.`);
  }
  const wanted = new Set(names);
  const keep = query.include_fields !== false;
  return Object.fromEntries(Object.entries(item).filter(([key]) => wanted.has(key) === keep)) as Partial<T>;
}

/** The `{id}` path parameter of most resources (Auth0 ids are short; API identifiers are URLs). */
export const idParams = <const N extends number = 64>(maxLength: N = 64 as N) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength } },
  }) as const;

export const ID_PARAMS = idParams();
