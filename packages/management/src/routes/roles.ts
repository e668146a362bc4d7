import { NotFoundError } from '@tessera/core';
import type { Role } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidBody, invalidQuery } from '../errors.ts';
import { listQuery, listResponse, pageOf } from '../query.ts';
import { NO_CONTENT, object, offsetList, STRING } from '../responses.ts';
import { READ_ONLY_ID, sameAsStored } from './read-only.ts';

export const ROLE_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const PROPERTIES = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  description: { type: 'string', maxLength: 255 },
} as const;

/** Auth0's role types; Tessera has tenant roles only (no organizations). */
const ROLE_TYPES = ['tenant', 'organization'] as const;
const OWNER = { type: 'string', minLength: 1, maxLength: 64 } as const;

const LIST_QUERY = listQuery({
  name_filter: { type: 'string', maxLength: 255 },
  type: { type: 'string', enum: ROLE_TYPES },
  owner_id: { type: 'string', minLength: 1, maxLength: 64 },
});

/** Auth0's role. */
export const ROLE = object({ id: STRING, name: STRING, description: STRING });

export const noSuchRole = () => inexistent('role', 'The role does not exist.');

const noOrganizations = () =>
  invalidBody(
    `Payload validation error: Tessera has no organizations, so a role can only be of type 'tenant' (no owner_id).`,
  );

/** Auth0: `owner_id` names the organization of organization roles, and only those. */
function checkOwner(query: { type?: string; owner_id?: string }): void {
  if (query.type === 'organization' && query.owner_id === undefined)
    throw invalidQuery(`Query validation error: 'owner_id' is required when type is 'organization'.`);
  if (query.type !== 'organization' && query.owner_id !== undefined)
    throw invalidQuery(`Query validation error: 'owner_id' is only allowed when type is 'organization'.`);
}

/** An unknown role (or another tenant's, or one deleted meanwhile) as Auth0 names it. */
export async function roleMustExist<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof NotFoundError ? noSuchRole() : error;
  }
}

export const toWire = (role: Role) => ({ id: role.id, name: role.name, description: role.description ?? '' });

/**
 * Auth0's `/roles` (RBAC). Role changes need no provider invalidation: a user's permissions are read
 * from the database for every token (packages/oidc/src/tenant-lookups.ts), so they apply at once.
 */
export function roleRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/roles',
    {
      config: { scopes: ['read:roles'] },
      schema: { querystring: LIST_QUERY, response: { 200: offsetList('roles', ROLE) } },
    },
    async (request) => {
      const { query } = request;
      checkOwner(query);
      const { skip, perPage } = pageOf(query);
      // Every Tessera role is a tenant role: Tessera has no organizations to own one.
      const { roles, total } =
        query.type === 'organization'
          ? { roles: [], total: 0 }
          : await storage.roles.list(request.tenant.id, {
              skip,
              take: perPage,
              nameFilter: query.name_filter?.trim() || undefined,
            });
      const items = roles.map(toWire);
      return listResponse('roles', items, total, query, { length: false });
    },
  );

  api.post(
    '/roles',
    {
      config: { scopes: ['create:roles'], audit: 'Create a role' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { ...PROPERTIES, type: { type: 'string', enum: ROLE_TYPES }, owner_id: OWNER },
        },
        response: { 200: ROLE },
      },
    },
    async (request, reply) => {
      const { type, owner_id, ...role } = request.body;
      if (type === 'organization' || owner_id !== undefined) throw noOrganizations();
      return reply.code(200).send(toWire(await storage.roles.create(request.tenant.id, role)));
    },
  );

  api.get(
    '/roles/:id',
    { config: { scopes: ['read:roles'] }, schema: { params: ROLE_PARAMS, response: { 200: ROLE } } },
    async (request) => {
      const role = await storage.roles.findById(request.tenant.id, request.params.id);
      if (!role) throw noSuchRole();
      return toWire(role);
    },
  );

  api.patch(
    '/roles/:id',
    {
      config: { scopes: ['update:roles'], audit: 'Update a role' },
      schema: {
        params: ROLE_PARAMS,
        // `id` as GET returns it, so a role read can be written back (routes/read-only.ts).
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...PROPERTIES, id: READ_ONLY_ID },
        },
        response: { 200: ROLE },
      },
    },
    async (request) => {
      const { id, ...changes } = request.body;
      sameAsStored({ id }, { id: request.params.id });
      return toWire(await roleMustExist(storage.roles.update(request.tenant.id, request.params.id, changes)));
    },
  );

  api.delete(
    '/roles/:id',
    {
      config: { scopes: ['delete:roles'], audit: 'Delete a role' },
      schema: { params: ROLE_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      await roleMustExist(storage.roles.delete(request.tenant.id, request.params.id));
      return reply.code(204).send();
    },
  );
}
