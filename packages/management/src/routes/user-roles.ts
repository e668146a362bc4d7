import { NotFoundError } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { inexistent } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { listResponse, PAGE_QUERY, type PageQuery, pageOf } from '../query.ts';
import { noSuchUser, USER_ID_PARAMS } from './user-wire.ts';

const ROLE_IDS = {
  type: 'object',
  additionalProperties: false,
  required: ['roles'],
  properties: {
    roles: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
} as const;

/** An unknown role (or another tenant's) as Auth0 names it. */
function asRoleError(error: unknown): unknown {
  return error instanceof NotFoundError ? inexistent('role', 'The role does not exist.') : error;
}

/** Auth0's `/users/{id}/roles`: the roles assigned to a user, and assigning or removing some. */
export function userRoleRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  const requireUser = async (tenantId: string, userId: string) => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
  };

  api.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/users/:id/roles',
    {
      config: { scopes: ['read:users', 'read:roles', 'read:role_members'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: { type: 'object', additionalProperties: false, properties: PAGE_QUERY },
      },
    },
    async (request) => {
      await requireUser(request.tenant.id, request.params.id);
      const { skip, perPage } = pageOf(request.query);
      const { roles, total } = await storage.userAdmin.rolesOf(request.tenant.id, request.params.id, {
        skip,
        take: perPage,
      });
      const items = roles.map((role) => ({
        id: role.id,
        name: role.name,
        description: role.description ?? '',
      }));
      return listResponse('roles', items, total, request.query);
    },
  );

  api.post<{ Params: { id: string }; Body: { roles: string[] } }>(
    '/users/:id/roles',
    {
      config: { scopes: ['update:users', 'create:role_members'], audit: 'Assign roles to a user' },
      schema: { params: USER_ID_PARAMS, body: ROLE_IDS },
    },
    async (request, reply) => {
      await requireUser(request.tenant.id, request.params.id);
      try {
        await storage.roles.assign(request.tenant.id, request.params.id, request.body.roles);
      } catch (error) {
        throw asRoleError(error);
      }
      return reply.code(204).send();
    },
  );

  api.delete<{ Params: { id: string }; Body: { roles: string[] } }>(
    '/users/:id/roles',
    {
      config: { scopes: ['update:users', 'delete:role_members'], audit: 'Removes roles from a user' },
      schema: { params: USER_ID_PARAMS, body: ROLE_IDS },
    },
    async (request, reply) => {
      await requireUser(request.tenant.id, request.params.id);
      try {
        await storage.userAdmin.removeRoles(request.tenant.id, request.params.id, request.body.roles);
      } catch (error) {
        throw asRoleError(error);
      }
      return reply.code(204).send();
    },
  );
}
