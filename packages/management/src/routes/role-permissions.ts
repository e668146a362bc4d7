import { InvalidRequestError, TesseraError } from '@tessera/core';
import type { RolePermission } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import { invalidBody } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { listResponse, PAGE_QUERY, type PageQuery, pageOf } from '../query.ts';
import { noSuchRole, ROLE_PARAMS, roleMustExist } from './roles.ts';

const PERMISSIONS_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['permissions'],
  properties: {
    permissions: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['resource_server_identifier', 'permission_name'],
        properties: {
          resource_server_identifier: { type: 'string', minLength: 1, maxLength: 600 },
          permission_name: { type: 'string', minLength: 1, maxLength: 280 },
        },
      },
    },
  },
} as const;

interface PermissionsBody {
  permissions: { resource_server_identifier: string; permission_name: string }[];
}

/**
 * Auth0's `/roles/{id}/permissions`: the scopes of APIs a role grants. Only scopes an API declares
 * can be granted (a permission the API does not know would otherwise reach its tokens); the
 * repository checks them in the transaction that adds them, under the APIs' row locks, so a
 * concurrent removal of a scope cannot leave a permission behind. Changes
 * apply to the next token at once: permissions are read per token, never cached.
 */
export function rolePermissionRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  api.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/roles/:id/permissions',
    {
      config: { scopes: ['read:roles'] },
      schema: {
        params: ROLE_PARAMS,
        querystring: { type: 'object', additionalProperties: false, properties: PAGE_QUERY },
      },
    },
    async (request) => {
      const { skip, perPage } = pageOf(request.query);
      const { permissions, total } = await roleMustExist(
        storage.roles.listPermissions(request.tenant.id, request.params.id, { skip, take: perPage }),
      );
      const items = permissions.map((p) => ({
        resource_server_identifier: p.audience,
        permission_name: p.permission,
        resource_server_name: p.apiName,
        description: p.description,
      }));
      return listResponse('permissions', items, total, request.query, { length: false });
    },
  );

  api.post<{ Params: { id: string }; Body: PermissionsBody }>(
    '/roles/:id/permissions',
    {
      config: { scopes: ['update:roles'], audit: 'Associate permissions with a role' },
      schema: { params: ROLE_PARAMS, body: PERMISSIONS_BODY },
    },
    async (request, reply) => {
      const tenantId = request.tenant.id;
      if (!(await storage.roles.findById(tenantId, request.params.id))) throw noSuchRole();
      const permissions = request.body.permissions.map(toPermission);
      await roleMustExist(
        undeclaredIsInvalid(storage.roles.addPermissions(tenantId, request.params.id, permissions)),
      );
      return reply.code(201).send();
    },
  );

  api.delete<{ Params: { id: string }; Body: PermissionsBody }>(
    '/roles/:id/permissions',
    {
      config: { scopes: ['update:roles'], audit: 'Remove permissions from a role' },
      schema: { params: ROLE_PARAMS, body: PERMISSIONS_BODY },
    },
    async (request, reply) => {
      const permissions = request.body.permissions.map(toPermission);
      await roleMustExist(storage.roles.removePermissions(request.tenant.id, request.params.id, permissions));
      return reply.code(204).send();
    },
  );
}

const toPermission = (p: PermissionsBody['permissions'][number]): RolePermission => ({
  audience: p.resource_server_identifier,
  permission: p.permission_name,
});

/** A permission its API does not declare, or an unknown API, is a bad body (not a missing role). */
async function undeclaredIsInvalid<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'inexistent_resource_server') {
      const audience = (error as TesseraError & { audience: string }).audience;
      throw invalidBody(`Payload validation error: the resource server '${audience}' does not exist.`);
    }
    if (error instanceof InvalidRequestError)
      throw invalidBody(`Payload validation error: ${error.description}`);
    throw error;
  }
}
