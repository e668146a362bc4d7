import { NotFoundError } from '@tessera/core';
import type { Role } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import { inexistent } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { listResponse, PAGE_QUERY, type PageQuery, pageOf } from '../query.ts';

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

export const noSuchRole = () => inexistent('role', 'The role does not exist.');

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
export function roleRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  api.get<{ Querystring: PageQuery & { name_filter?: string } }>(
    '/roles',
    {
      config: { scopes: ['read:roles'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...PAGE_QUERY, name_filter: { type: 'string', maxLength: 255 } },
        },
      },
    },
    async (request) => {
      const { query } = request;
      const { skip, perPage } = pageOf(query);
      const { roles, total } = await storage.roles.list(request.tenant.id, {
        skip,
        take: perPage,
        nameFilter: query.name_filter?.trim() || undefined,
      });
      const items = roles.map(toWire);
      return listResponse('roles', items, total, query, { length: false });
    },
  );

  api.post<{ Body: { name: string; description?: string } }>(
    '/roles',
    {
      config: { scopes: ['create:roles'], audit: 'Create a role' },
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['name'], properties: PROPERTIES },
      },
    },
    async (request, reply) =>
      reply.code(200).send(toWire(await storage.roles.create(request.tenant.id, request.body))),
  );

  api.get<{ Params: { id: string } }>(
    '/roles/:id',
    { config: { scopes: ['read:roles'] }, schema: { params: ROLE_PARAMS } },
    async (request) => {
      const role = await storage.roles.findById(request.tenant.id, request.params.id);
      if (!role) throw noSuchRole();
      return toWire(role);
    },
  );

  api.patch<{ Params: { id: string }; Body: { name?: string; description?: string } }>(
    '/roles/:id',
    {
      config: { scopes: ['update:roles'], audit: 'Update a role' },
      schema: {
        params: ROLE_PARAMS,
        body: { type: 'object', additionalProperties: false, properties: PROPERTIES },
      },
    },
    async (request) =>
      toWire(await roleMustExist(storage.roles.update(request.tenant.id, request.params.id, request.body))),
  );

  api.delete<{ Params: { id: string } }>(
    '/roles/:id',
    { config: { scopes: ['delete:roles'], audit: 'Delete a role' }, schema: { params: ROLE_PARAMS } },
    async (request, reply) => {
      await roleMustExist(storage.roles.delete(request.tenant.id, request.params.id));
      return reply.code(204).send();
    },
  );
}
