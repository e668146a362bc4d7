import type { AuthenticationMethod } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { listQuery, listResponse, pageOf } from '../query.ts';
import { BOOLEAN, NO_CONTENT, object, offsetList, STRING } from '../responses.ts';
import { noSuchUser, USER_ID_PARAMS } from './user-wire.ts';

/** Auth0's authentication method: what an enrollment is, never its secret. */
const METHOD = object({
  id: STRING,
  type: STRING,
  confirmed: BOOLEAN,
  name: STRING,
  phone_number: STRING,
  email: STRING,
  created_at: STRING,
  last_auth_at: STRING,
});

/** Guardian factor names as stored → Auth0's authentication method types. */
const WIRE_TYPE: Record<string, string> = { otp: 'totp', 'push-notification': 'push' };

/**
 * Auth0's `/users/{id}/authentication-methods`: the user's MFA enrollments, never their secrets
 * (TOTP seeds, recovery code hashes, WebAuthn keys stay in storage), and removing one.
 */
export function userAuthenticationMethodRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  const requireUser = async (tenantId: string, userId: string) => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
  };

  api.get(
    '/users/:id/authentication-methods',
    {
      config: { scopes: ['read:authentication_methods'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: listQuery(),
        response: { 200: offsetList('authenticators', METHOD) },
      },
    },
    async (request) => {
      await requireUser(request.tenant.id, request.params.id);
      const { skip, perPage } = pageOf(request.query);
      const { methods, total } = await storage.userAdmin.authenticationMethods(
        request.tenant.id,
        request.params.id,
        {
          skip,
          take: perPage,
        },
      );
      return listResponse('authenticators', methods.map(toWire), total, request.query);
    },
  );

  api.delete(
    '/users/:id/authentication-methods/:method_id',
    {
      config: { scopes: ['delete:authentication_methods'], audit: 'Delete an authentication method' },
      schema: {
        params: {
          type: 'object',
          required: ['id', 'method_id'],
          properties: {
            ...USER_ID_PARAMS.properties,
            method_id: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
        response: NO_CONTENT,
      },
    },
    async (request, reply) => {
      await requireUser(request.tenant.id, request.params.id);
      const deleted = await storage.userAdmin.deleteAuthenticationMethod(
        request.tenant.id,
        request.params.id,
        request.params.method_id,
      );
      if (!deleted) throw inexistent('authentication_method', 'The authentication method does not exist.');
      return reply.code(204).send();
    },
  );
}

/** Auth0's shape; absent values are left out. */
function toWire(method: AuthenticationMethod): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: method.id,
    type: WIRE_TYPE[method.type] ?? method.type,
    confirmed: method.confirmed,
    name: method.name,
    phone_number: method.phoneNumber,
    email: method.email,
    created_at: method.createdAt.toISOString(),
    last_auth_at: method.lastAuthAt?.toISOString() ?? null,
  };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== null));
}
