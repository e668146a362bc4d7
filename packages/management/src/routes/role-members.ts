import { NotFoundError } from '@tessera/core';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { listQuery, listResponse, pageOf } from '../query.ts';
import { NO_BODY, object, offsetOrCheckpointList, STRING } from '../responses.ts';
import { noSuchRole, ROLE_PARAMS, roleMustExist } from './roles.ts';

/** A role's member as Auth0 lists it (absent values left out). */
const MEMBER = object({ user_id: STRING, email: STRING, name: STRING, picture: STRING });

/**
 * Auth0's `/roles/{id}/users`: who holds a role, and assigning it to users. The list answers in
 * Auth0's two modes: `from`/`take` (a checkpoint: `{ users, next }`, what the SDK asks for) or
 * `page`/`per_page` (an array, or `{ users, start, limit, total }` with `include_totals`).
 */
export function roleMemberRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/roles/:id/users',
    {
      config: { scopes: ['read:role_members', 'read:users', 'read:roles'] },
      schema: {
        params: ROLE_PARAMS,
        querystring: listQuery({
          from: { type: 'string', maxLength: 255 },
          take: { type: 'integer', minimum: 1, maximum: 100 },
        }),
        response: { 200: offsetOrCheckpointList('users', MEMBER) },
      },
    },
    async (request) => {
      const { query } = request;
      const tenantId = request.tenant.id;
      if (query.from !== undefined || query.take !== undefined) {
        const take = query.take ?? 50;
        // One more than asked tells whether a next page exists, so the SDK stops without an empty call.
        const { members } = await roleMustExist(
          storage.roles.members(tenantId, request.params.id, {
            from: query.from || undefined,
            take: take + 1,
          }),
        );
        const page = members.slice(0, take).map(toWire);
        return members.length > take ? { users: page, next: page.at(-1)?.user_id } : { users: page };
      }
      const { skip, perPage } = pageOf(query);
      const { members, total } = await roleMustExist(
        storage.roles.members(tenantId, request.params.id, { skip, take: perPage }),
      );
      const items = members.map(toWire);
      return listResponse('users', items, total, query, { length: false });
    },
  );

  api.post(
    '/roles/:id/users',
    {
      config: { scopes: ['create:role_members'], audit: 'Assign users to a role' },
      schema: {
        params: ROLE_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['users'],
          properties: {
            users: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: { type: 'string', minLength: 1, maxLength: 255 },
            },
          },
        },
        response: { 200: NO_BODY },
      },
    },
    async (request, reply) => {
      const tenantId = request.tenant.id;
      if (!(await storage.roles.findById(tenantId, request.params.id))) throw noSuchRole();
      try {
        await storage.roles.addMembers(tenantId, request.params.id, request.body.users);
      } catch (error) {
        // The role was checked just before: a NotFoundError here names a user.
        throw error instanceof NotFoundError ? inexistent('user', 'The user does not exist.') : error;
      }
      return reply.code(200).send();
    },
  );
}

function toWire(member: {
  userId: string;
  email: string | null;
  name: string | null;
  picture: string | null;
}) {
  const wire = { user_id: member.userId, email: member.email, name: member.name, picture: member.picture };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== null)) as {
    user_id: string;
  };
}
