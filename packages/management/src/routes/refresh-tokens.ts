import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { CHECKPOINT_QUERY, FIELDS_QUERY, project } from '../query.ts';
import { NEXT, wrappedList } from '../responses.ts';
import { noSuchRefreshToken, REFRESH_TOKEN, refreshTokenWire } from './refresh-token-wire.ts';
import { ACCEPTED, DEFAULT_TAKE, OPAQUE_ID_PARAMS, USER_LIST_QUERY } from './session-wire.ts';
import { noSuchUser, USER_ID_PARAMS } from './user-wire.ts';

/** `GET /refresh-tokens`: one user's tokens (required, as at Auth0), optionally for one client. */
const TENANT_LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  required: ['user_id'],
  properties: {
    user_id: { type: 'string', minLength: 1, maxLength: 512 },
    client_id: { type: 'string', minLength: 1, maxLength: 64 },
    ...CHECKPOINT_QUERY,
    ...FIELDS_QUERY,
  },
} as const;

/**
 * Auth0's `/refresh-tokens` and `/users/{id}/refresh-tokens`. What Auth0 calls a refresh token is a
 * rotation family here: its id is the family's (`event.refresh_token.id`), never a token, and it
 * stays the same across rotations; revoking it revokes every token of the family, so the app's next
 * exchange fails with invalid_grant. The access tokens already issued live on until they expire, as
 * at Auth0. Deleting an unknown id succeeds (Auth0's deletions are idempotent).
 */
export function refreshTokenRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  const records = storage.oidcRecords;
  const requireUser = async (tenantId: string, userId: string) => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
  };

  api.get(
    '/refresh-tokens',
    {
      config: { scopes: ['read:refresh_tokens'] },
      schema: {
        querystring: TENANT_LIST_QUERY,
        response: { 200: wrappedList('refresh_tokens', REFRESH_TOKEN, NEXT) },
      },
    },
    async (request) => {
      const { query } = request;
      // A malformed `fields` is refused even when the page is empty.
      project({}, query);
      await requireUser(request.tenant.id, query.user_id);
      const page = await records.listRefreshTokenFamilies(request.tenant.id, query.user_id, {
        take: query.take ?? DEFAULT_TAKE,
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.client_id === undefined ? {} : { clientId: query.client_id }),
      });
      return {
        refresh_tokens: page.families.map((family) => project(refreshTokenWire(family), query)),
        ...(page.next === undefined ? {} : { next: page.next }),
      };
    },
  );

  api.get(
    '/refresh-tokens/:id',
    {
      config: { scopes: ['read:refresh_tokens'] },
      schema: { params: OPAQUE_ID_PARAMS, response: { 200: REFRESH_TOKEN } },
    },
    async (request) => {
      const family = await records.findRefreshTokenFamily(request.tenant.id, request.params.id);
      if (!family) throw noSuchRefreshToken();
      return refreshTokenWire(family);
    },
  );

  api.delete(
    '/refresh-tokens/:id',
    {
      config: { scopes: ['delete:refresh_tokens'], audit: 'Delete a refresh token' },
      schema: { params: OPAQUE_ID_PARAMS, response: ACCEPTED },
    },
    async (request, reply) => {
      await records.deleteRefreshTokenFamily(request.tenant.id, request.params.id);
      return reply.code(202).send();
    },
  );

  api.get(
    '/users/:id/refresh-tokens',
    {
      config: { scopes: ['read:refresh_tokens'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: USER_LIST_QUERY,
        response: { 200: wrappedList('tokens', REFRESH_TOKEN, NEXT) },
      },
    },
    async (request) => {
      await requireUser(request.tenant.id, request.params.id);
      const page = await records.listRefreshTokenFamilies(request.tenant.id, request.params.id, {
        take: request.query.take ?? DEFAULT_TAKE,
        ...(request.query.from === undefined ? {} : { from: request.query.from }),
      });
      return {
        tokens: page.families.map(refreshTokenWire),
        ...(page.next === undefined ? {} : { next: page.next }),
      };
    },
  );

  api.delete(
    '/users/:id/refresh-tokens',
    {
      config: { scopes: ['delete:refresh_tokens'], audit: 'Delete all refresh tokens for a user' },
      schema: { params: USER_ID_PARAMS, response: ACCEPTED },
    },
    async (request, reply) => {
      await requireUser(request.tenant.id, request.params.id);
      await records.deleteRefreshTokensOf(request.tenant.id, request.params.id);
      return reply.code(202).send();
    },
  );
}
