import { NotFoundError } from '@tessera/core';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { listQuery, listResponse, pageOf } from '../query.ts';
import { NO_CONTENT, offsetList } from '../responses.ts';
import { ROLE } from './roles.ts';
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
export function userRoleRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  const requireUser = async (tenantId: string, userId: string) => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
  };

  api.get(
    '/users/:id/roles',
    {
      config: { scopes: ['read:users', 'read:roles', 'read:role_members'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: listQuery(),
        response: { 200: offsetList('roles', ROLE) },
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

  api.post(
    '/users/:id/roles',
    {
      config: { scopes: ['update:users', 'create:role_members'], audit: 'Assign roles to a user' },
      schema: { params: USER_ID_PARAMS, body: ROLE_IDS, response: NO_CONTENT },
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

  api.delete(
    '/users/:id/roles',
    {
      config: { scopes: ['update:users', 'delete:role_members'], audit: 'Removes roles from a user' },
      schema: { params: USER_ID_PARAMS, body: ROLE_IDS, response: NO_CONTENT },
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
