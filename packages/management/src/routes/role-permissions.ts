import { InvalidRequestError, TesseraError } from '@tessera/core';
import type { RolePermission } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { invalidBody } from '../errors.ts';
import { listQuery, listResponse, pageOf } from '../query.ts';
import { CREATED_EMPTY, NO_CONTENT, object, offsetList, STRING } from '../responses.ts';
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

type PermissionsBody = FromSchema<typeof PERMISSIONS_BODY>;

/** A permission of a role as Auth0 lists it. */
const PERMISSION = object({
  resource_server_identifier: STRING,
  permission_name: STRING,
  resource_server_name: STRING,
  description: STRING,
});

/**
 * Auth0's `/roles/{id}/permissions`: the scopes of APIs a role grants. Only scopes an API declares
 * can be granted (a permission the API does not know would otherwise reach its tokens); the
 * repository checks them in the transaction that adds them, under the APIs' row locks, so a
 * concurrent removal of a scope cannot leave a permission behind. Changes
 * apply to the next token at once: permissions are read per token, never cached.
 */
export function rolePermissionRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/roles/:id/permissions',
    {
      config: { scopes: ['read:roles'] },
      schema: {
        params: ROLE_PARAMS,
        querystring: listQuery(),
        response: { 200: offsetList('permissions', PERMISSION) },
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

  api.post(
    '/roles/:id/permissions',
    {
      config: { scopes: ['update:roles'], audit: 'Associate permissions with a role' },
      schema: { params: ROLE_PARAMS, body: PERMISSIONS_BODY, response: CREATED_EMPTY },
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

  api.delete(
    '/roles/:id/permissions',
    {
      config: { scopes: ['update:roles'], audit: 'Remove permissions from a role' },
      schema: { params: ROLE_PARAMS, body: PERMISSIONS_BODY, response: NO_CONTENT },
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
