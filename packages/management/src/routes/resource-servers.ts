import { isDeepStrictEqual } from 'node:util';
import { NotFoundError } from '@tessera/core';
import type { ResourceServer, Storage } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError, inexistent, invalidBody } from '../errors.ts';
import { FIELDS_ONLY, idParams, listQuery, listResponse, pageOf, project } from '../query.ts';
import { NO_CONTENT, offsetList } from '../responses.ts';
import { pick, READ_ONLY_ID, sameAsStored, withoutKeys } from './read-only.ts';
import {
  type Body,
  checkSettings,
  PROPERTIES,
  RESOURCE_SERVER,
  toInput,
  toWire,
} from './resource-server-wire.ts';

/** `{id}` is the API's id or its identifier, a URL. */
const ID_PARAMS = idParams(600);

/** What Auth0 lets a caller change on the system API (the Management API itself). */
const SYSTEM_UPDATABLE = new Set(['token_lifetime', 'skip_consent_for_verifiable_first_party_clients']);

/** What GET returns and no PATCH changes: accepted when it states the stored value (read-only.ts). */
const IDENTITY = ['id', 'identifier', 'is_system'] as const;
const PATCH_PROPERTIES = {
  ...PROPERTIES,
  id: READ_ONLY_ID,
  identifier: READ_ONLY_ID,
  is_system: { type: 'boolean' },
} as const;

/**
 * Auth0 lets only SYSTEM_UPDATABLE change on its own Management API and refuses the rest as its
 * schema for that API does; a setting sent with the value GET shows (a round trip) changes nothing,
 * so it is accepted and dropped.
 */
function systemChanges(body: Body, stored: Record<string, unknown>): Body {
  const fixed = Object.entries(body).filter(([key]) => !SYSTEM_UPDATABLE.has(key));
  const refused = fixed.find(([key, value]) => !isDeepStrictEqual(value, stored[key]));
  if (refused)
    throw invalidBody(`Payload validation error: 'Additional properties not allowed: ${refused[0]}'.`);
  return Object.fromEntries(Object.entries(body).filter(([key]) => SYSTEM_UPDATABLE.has(key)));
}

const noSuchApi = () => inexistent('resource_server', 'The resource server does not exist');

/**
 * Auth0's `/resource-servers` (APIs). `{id}` is the id or the (URL-encoded) identifier, as in Auth0.
 * Replacing `scopes` also takes the removed scopes out of role permissions and client grants (the
 * repository does it in the same transaction): a permission whose scope is gone would otherwise
 * still reach tokens through the `permissions` claim. The provider caches APIs for 5 seconds
 * (packages/oidc/src/tenant-lookups.ts), so every change drops the tenant's provider.
 */
export function resourceServerRoutes(
  api: ManagementApi,
  { storage, invalidateTenant }: ManagementDeps,
): void {
  api.get(
    '/resource-servers',
    {
      config: { scopes: ['read:resource_servers'] },
      schema: {
        querystring: listQuery(
          {
            identifiers: {
              anyOf: [
                { type: 'string', maxLength: 600 },
                { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 600 } },
              ],
            },
          },
          { fields: true },
        ),
        response: { 200: offsetList('resource_servers', RESOURCE_SERVER) },
      },
    },
    async (request) => {
      const { query } = request;
      const { skip, perPage } = pageOf(query);
      const identifiers = query.identifiers === undefined ? undefined : [query.identifiers].flat();
      const { resourceServers, total } = await storage.resourceServers.list(request.tenant.id, {
        skip,
        take: perPage,
        identifiers,
      });
      const items = resourceServers.map((server) => project(toWire(server), query));
      return listResponse('resource_servers', items, total, query, { length: false });
    },
  );

  api.post(
    '/resource-servers',
    {
      config: { scopes: ['create:resource_servers'], audit: 'Create a resource server' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['identifier'],
          properties: { ...PROPERTIES, identifier: { type: 'string', minLength: 1, maxLength: 600 } },
        },
        response: { 201: RESOURCE_SERVER },
      },
    },
    async (request, reply) => {
      const { body } = request;
      // The identifier is the audience a token request names, which the provider treats as a
      // resource indicator (RFC 8707 §2: an absolute URI without a fragment). Auth0 accepts any string.
      if (!URL.parse(body.identifier) || body.identifier.includes('#')) {
        throw invalidBody(
          `Payload validation error: the identifier must be an absolute URI without a fragment on property identifier.`,
        );
      }
      await checkSettings(storage, request.tenant.id, body);
      const server = await storage.resourceServers.create(request.tenant.id, {
        ...toInput(body),
        identifier: body.identifier,
        name: body.name ?? body.identifier,
      });
      // As after every change here: nothing the provider keeps for the tenant may predate the API.
      invalidateTenant(request.tenant.id);
      return reply.code(201).send(toWire(server));
    },
  );

  api.get(
    '/resource-servers/:id',
    {
      config: { scopes: ['read:resource_servers'] },
      schema: { params: ID_PARAMS, querystring: FIELDS_ONLY, response: { 200: RESOURCE_SERVER } },
    },
    async (request) =>
      project(toWire(await find(storage, request.tenant.id, request.params.id)), request.query),
  );

  api.patch(
    '/resource-servers/:id',
    {
      config: { scopes: ['update:resource_servers'], audit: 'Update a resource server' },
      schema: {
        params: ID_PARAMS,
        body: { type: 'object', additionalProperties: false, properties: PATCH_PROPERTIES },
        response: { 200: RESOURCE_SERVER },
      },
    },
    async (request) => {
      const tenantId = request.tenant.id;
      const current = await find(storage, tenantId, request.params.id);
      const stored = toWire(current);
      sameAsStored(pick(request.body, IDENTITY), stored);
      const changes = current.isSystem
        ? systemChanges(withoutKeys(request.body, IDENTITY), stored)
        : withoutKeys(request.body, IDENTITY);
      await checkSettings(storage, tenantId, changes);
      const server = await inexistentIfGone(
        storage.resourceServers.update(tenantId, current.id, toInput(changes)),
      );
      invalidateTenant(tenantId);
      return toWire(server);
    },
  );

  api.delete(
    '/resource-servers/:id',
    {
      config: { scopes: ['delete:resource_servers'], audit: 'Delete a resource server' },
      schema: { params: ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      const current = await find(storage, request.tenant.id, request.params.id);
      if (current.isSystem) {
        throw new ApiError(403, 'operation_not_supported', 'You cannot delete the system resource server');
      }
      await inexistentIfGone(storage.resourceServers.delete(request.tenant.id, current.id));
      invalidateTenant(request.tenant.id);
      return reply.code(204).send();
    },
  );
}

async function find(storage: Storage, tenantId: string, idOrIdentifier: string): Promise<ResourceServer> {
  const server =
    (await storage.resourceServers.findById(tenantId, idOrIdentifier)) ??
    (await storage.resourceServers.findByIdentifier(tenantId, idOrIdentifier));
  if (!server) throw noSuchApi();
  return server;
}

async function inexistentIfGone<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof NotFoundError ? noSuchApi() : error;
  }
}
