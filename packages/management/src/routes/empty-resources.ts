import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { CHECKPOINT_QUERY, idParams, listQuery, listResponse, type PageQuery, pageOf } from '../query.ts';
import {
  arrayOf,
  EMPTY_OBJECT,
  INTEGER,
  NEXT,
  NO_CONTENT,
  offsetList,
  offsetOrCheckpointList,
  wrappedList,
} from '../responses.ts';
import { type Collection, EMPTY_COLLECTIONS } from './empty-collections.ts';
import { ANY_BODY, featureNotEnabled, scopesOf } from './unavailable.ts';

// Request types are not inferred from schemas here (as for the other run-time schemas listed in
// docs/management-api.md#route-schemas): the schemas are built per
// collection at run time (queryOf), so the query is typed by hand, and answers are checked by their
// (equally built) response schemas only.
type ListQuery = PageQuery & { from?: string; take?: number };

/** Nothing is ever in these lists or answers: an item is the empty object, so nothing can leak. */
const NONE = EMPTY_OBJECT;

/**
 * The routes of the resources Tessera does not have (empty-collections.ts): the list answers empty in
 * Auth0's shape; a create answers 403 `feature_not_enabled`; a single one is inexistent (404), to
 * read, change or delete alike.
 */
export function emptyResourceRoutes(api: ManagementApi, _deps: ManagementDeps): void {
  for (const collection of EMPTY_COLLECTIONS) {
    const scopes = scopesOf(collection.scope);
    api.get<{ Querystring: ListQuery; Reply: unknown }>(
      collection.path,
      {
        config: { scopes: scopes.read },
        schema: { querystring: queryOf(collection), response: { 200: answerOf(collection) } },
      },
      async (request) => emptyList(collection, request.query),
    );
    api.post(
      collection.path,
      {
        config: { scopes: scopes.create, audit: `Create (${collection.path})` },
        schema: { body: ANY_BODY, response: { 201: NONE } },
      },
      async () => {
        throw featureNotEnabled(`${collection.what} not available in Tessera`);
      },
    );
    if (!collection.item) continue;
    const item = `${collection.path}/:id`;
    const none = async () => {
      throw inexistent(collection.item!, `The ${collection.item!.replaceAll('_', ' ')} does not exist`);
    };
    const params = idParams(1024);
    api.get(item, { config: { scopes: scopes.read }, schema: { params, response: { 200: NONE } } }, none);
    api.patch(
      item,
      {
        config: { scopes: scopes.update, audit: `Update (${item})` },
        schema: { params, body: ANY_BODY, response: { 200: NONE } },
      },
      none,
    );
    api.delete(
      item,
      {
        config: { scopes: scopes.delete, audit: `Delete (${item})` },
        schema: { params, response: NO_CONTENT },
      },
      none,
    );
  }

  // A rules config is set by key (PUT), not created by POST.
  api.put(
    '/rules-configs/:id',
    {
      config: { scopes: ['update:rules_configs'], audit: 'Set a rules config' },
      schema: { params: idParams(127), body: ANY_BODY, response: { 200: NONE } },
    },
    async () => {
      throw featureNotEnabled('Rules configs (legacy Rules) are not available in Tessera');
    },
  );
  api.delete(
    '/rules-configs/:id',
    {
      config: { scopes: ['delete:rules_configs'], audit: 'Delete a rules config' },
      schema: { params: idParams(127), response: NO_CONTENT },
    },
    async () => {
      throw inexistent('rules_config', 'The rules config does not exist');
    },
  );
}

/** The query each list shape takes (empty-collections.ts `Shape`): Auth0's paging, then the filters. */
function queryOf({ shape, filters = {} }: Collection): object {
  if (shape === 'offset' || shape === 'actions') return listQuery(filters);
  if (shape === 'offset-or-checkpoint') return listQuery({ ...CHECKPOINT_QUERY, ...filters });
  const paging = shape === 'checkpoint' ? CHECKPOINT_QUERY : {};
  return { type: 'object', additionalProperties: false, properties: { ...paging, ...filters } };
}

/** The answer of each list shape, always empty. */
function answerOf({ shape, name = '' }: Collection): object {
  switch (shape) {
    case 'array':
      return arrayOf(NONE);
    case 'wrapped':
      return wrappedList(name, NONE);
    case 'checkpoint':
      return wrappedList(name, NONE, NEXT);
    case 'actions':
      return wrappedList(name, NONE, { total: INTEGER, page: INTEGER, per_page: INTEGER });
    case 'offset-or-checkpoint':
      return offsetOrCheckpointList(name, NONE);
    case 'offset':
      return offsetList(name, NONE);
  }
}

function emptyList(collection: Collection, query: ListQuery): unknown {
  const name = collection.name ?? '';
  switch (collection.shape) {
    case 'array':
      return [];
    case 'wrapped':
    case 'checkpoint':
      return { [name]: [] };
    case 'actions': {
      const { page, perPage } = pageOf(query);
      return { [name]: [], total: 0, page, per_page: perPage };
    }
    case 'offset-or-checkpoint':
      if (query.from !== undefined || query.take !== undefined) return { [name]: [] };
      return listResponse(name, [], 0, query, { length: false });
    case 'offset':
      return listResponse(name, [], 0, query, { length: false });
  }
}
