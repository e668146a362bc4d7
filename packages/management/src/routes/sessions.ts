import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { NEXT, wrappedList } from '../responses.ts';
import {
  ACCEPTED,
  checkpointPage,
  noSuchSession,
  OPAQUE_ID_PARAMS,
  SESSION,
  sessionWire,
  USER_LIST_QUERY,
} from './session-wire.ts';
import { noSuchUser, USER_ID_PARAMS } from './user-wire.ts';

/**
 * Auth0's `/sessions` and `/users/{id}/sessions`: a user's login sessions, read and ended by an
 * administrator. A session's id is its stable uid (`event.session.id`). Deleting a session ends it
 * for every application (the next authorization request asks for a login) but keeps the refresh
 * tokens issued through it, as Auth0 does; `POST /sessions/{id}/revoke` revokes those too. Deleting
 * an unknown session succeeds (Auth0's deletions are idempotent); revoking one answers 404.
 */
export function sessionRoutes(api: ManagementApi, { storage, sessions }: ManagementDeps): void {
  const requireUser = async (tenantId: string, userId: string) => {
    if (!(await storage.users.findById(tenantId, userId))) throw noSuchUser();
  };

  api.get(
    '/sessions/:id',
    {
      config: { scopes: ['read:sessions'] },
      schema: { params: OPAQUE_ID_PARAMS, response: { 200: SESSION } },
    },
    async (request) => {
      const session = await sessions.find(request.tenant.id, request.params.id);
      if (!session) throw noSuchSession();
      return sessionWire(session);
    },
  );

  api.delete(
    '/sessions/:id',
    {
      config: { scopes: ['delete:sessions'], audit: 'Delete a session' },
      schema: { params: OPAQUE_ID_PARAMS, response: ACCEPTED },
    },
    async (request, reply) => {
      await sessions.revoke(request.tenant.id, request.params.id, { refreshTokens: false });
      return reply.code(202).send();
    },
  );

  api.post(
    '/sessions/:id/revoke',
    {
      config: { scopes: ['delete:sessions'], audit: 'Revoke a session' },
      schema: { params: OPAQUE_ID_PARAMS, response: ACCEPTED },
    },
    async (request, reply) => {
      if (!(await sessions.revoke(request.tenant.id, request.params.id, { refreshTokens: true })))
        throw noSuchSession();
      return reply.code(202).send();
    },
  );

  api.get(
    '/users/:id/sessions',
    {
      config: { scopes: ['read:sessions'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: USER_LIST_QUERY,
        response: { 200: wrappedList('sessions', SESSION, NEXT) },
      },
    },
    async (request) => {
      await requireUser(request.tenant.id, request.params.id);
      const all = await sessions.listByUser(request.tenant.id, request.params.id);
      const { items, next } = checkpointPage(all, request.query);
      return { sessions: items.map(sessionWire), ...(next === undefined ? {} : { next }) };
    },
  );

  api.delete(
    '/users/:id/sessions',
    {
      config: { scopes: ['delete:sessions'], audit: 'Delete all sessions for a user' },
      schema: { params: USER_ID_PARAMS, response: ACCEPTED },
    },
    async (request, reply) => {
      await requireUser(request.tenant.id, request.params.id);
      await sessions.revokeByUser(request.tenant.id, request.params.id, { refreshTokens: false });
      return reply.code(202).send();
    },
  );
}
