import { invalidQuery } from './errors.ts';

/**
 * Auth0's list conventions: `page` (zero-based), `per_page` (default 50, at most 100),
 * `include_totals` (wrap the list as `{ <name>: [...], start, limit, length, total }`), and
 * `fields` / `include_fields` (a comma-separated projection, kept or dropped).
 */
export const PAGE_QUERY = {
  page: { type: 'integer', minimum: 0, maximum: 100_000 },
  per_page: { type: 'integer', minimum: 1, maximum: 100 },
  include_totals: { type: 'boolean' },
} as const;

export const FIELDS_QUERY = {
  fields: { type: 'string', maxLength: 2048 },
  include_fields: { type: 'boolean' },
} as const;

export interface PageQuery {
  page?: number;
  per_page?: number;
  include_totals?: boolean;
}

export interface FieldsQuery {
  fields?: string;
  include_fields?: boolean;
}

export const DEFAULT_PER_PAGE = 50;

export function pageOf(query: PageQuery): { page: number; perPage: number; skip: number } {
  const page = query.page ?? 0;
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
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

/** The query schema of a route reading one resource: only `fields` / `include_fields`. */
export const FIELDS_ONLY = { type: 'object', additionalProperties: false, properties: FIELDS_QUERY } as const;

/** The `{id}` path parameter of most resources (Auth0 ids are short; API identifiers are URLs). */
export const idParams = (maxLength = 64) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength } },
  }) as const;

export const ID_PARAMS = idParams();
