import type { FastifyInstance } from 'fastify';
import { inexistent } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { idParams, listResponse, PAGE_QUERY, type PageQuery, pageOf } from '../query.ts';
import { type Collection, EMPTY_COLLECTIONS, type Shape } from './empty-collections.ts';
import { ANY_BODY, featureNotEnabled, scopesOf } from './unavailable.ts';

const CHECKPOINT_QUERY = {
  from: { type: 'string', maxLength: 1024 },
  take: { type: 'integer', minimum: 1, maximum: 100 },
} as const;

type ListQuery = PageQuery & { from?: string; take?: number };

/**
 * The routes of the resources Tessera does not have (empty-collections.ts): the list answers empty in
 * Auth0's shape; a create answers 403 `feature_not_enabled`; a single one is inexistent (404), to
 * read, change or delete alike.
 */
export function emptyResourceRoutes(api: FastifyInstance, _deps: ManagementDeps): void {
  for (const collection of EMPTY_COLLECTIONS) {
    const scopes = scopesOf(collection.scope);
    api.get<{ Querystring: ListQuery }>(
      collection.path,
      { config: { scopes: scopes.read }, schema: { querystring: queryOf(collection) } },
      async (request) => emptyList(collection, request.query),
    );
    api.post(
      collection.path,
      {
        config: { scopes: scopes.create, audit: `Create (${collection.path})` },
        schema: { body: ANY_BODY },
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
    api.get(item, { config: { scopes: scopes.read }, schema: { params } }, none);
    api.patch(
      item,
      { config: { scopes: scopes.update, audit: `Update (${item})` }, schema: { params, body: ANY_BODY } },
      none,
    );
    api.delete(
      item,
      { config: { scopes: scopes.delete, audit: `Delete (${item})` }, schema: { params } },
      none,
    );
  }

  // A rules config is set by key (PUT), not created by POST.
  api.put(
    '/rules-configs/:id',
    {
      config: { scopes: ['update:rules_configs'], audit: 'Set a rules config' },
      schema: { params: idParams(127), body: ANY_BODY },
    },
    async () => {
      throw featureNotEnabled('Rules configs (legacy Rules) are not available in Tessera');
    },
  );
  api.delete(
    '/rules-configs/:id',
    {
      config: { scopes: ['delete:rules_configs'], audit: 'Delete a rules config' },
      schema: { params: idParams(127) },
    },
    async () => {
      throw inexistent('rules_config', 'The rules config does not exist');
    },
  );
}

/** The paging parameters each list shape takes (empty-collections.ts `Shape`). */
const PAGING: Record<Shape, object> = {
  offset: PAGE_QUERY,
  actions: PAGE_QUERY,
  checkpoint: CHECKPOINT_QUERY,
  'offset-or-checkpoint': { ...PAGE_QUERY, ...CHECKPOINT_QUERY },
  wrapped: {},
  array: {},
};

function queryOf(collection: Collection) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { ...PAGING[collection.shape], ...collection.filters },
  };
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
