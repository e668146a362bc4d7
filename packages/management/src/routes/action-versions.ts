import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from '../plugin.ts';
import { actionNotFound, orNotFound, versionNotFound, versionWire } from './actions-wire.ts';

const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const VERSION_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['actionId', 'id'],
  properties: { actionId: ID, id: ID },
} as const;

type Params = { Params: { actionId: string; id: string } };

/** Auth0's `/actions/actions/{actionId}/versions`: the immutable deployed snapshots, and roll back. */
export function actionVersionRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  api.get<{ Params: { actionId: string }; Querystring: { page?: number; per_page?: number } }>(
    '/actions/actions/:actionId/versions',
    {
      config: { scopes: ['read:actions'] },
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['actionId'],
          properties: { actionId: ID },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            page: { type: 'integer', minimum: 0, maximum: 100_000 },
            per_page: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    async (request) => {
      const page = request.query.page ?? 0;
      const perPage = request.query.per_page ?? 20;
      const listed = storage.actions.versions(request.tenant.id, request.params.actionId, {
        skip: page * perPage,
        take: perPage,
      });
      const { versions, total } = await orNotFound(listed, actionNotFound);
      return { versions: versions.map((v) => versionWire(v)), total, page, per_page: perPage };
    },
  );

  api.get<Params>(
    '/actions/actions/:actionId/versions/:id',
    { config: { scopes: ['read:actions'] }, schema: { params: VERSION_PARAMS } },
    async (request) => {
      const { actionId, id } = request.params;
      const action = await storage.actions.get(request.tenant.id, actionId);
      if (!action) throw actionNotFound();
      const version = await storage.actions.version(request.tenant.id, actionId, id);
      if (!version) throw versionNotFound();
      return versionWire(version, action);
    },
  );

  // Auth0: "Performs the equivalent of a roll-back of an Action to an earlier, specified version.
  // Creates a new, deployed Action version that is identical to the specified version." The code was
  // checked when that version was deployed, and versions never change, so it is not checked again.
  api.post<Params & { Body: { update_draft?: boolean } | undefined }>(
    '/actions/actions/:actionId/versions/:id/deploy',
    {
      config: { scopes: ['create:actions'], audit: 'Roll back to a previous action version' },
      schema: {
        params: VERSION_PARAMS,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { update_draft: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const { actionId, id } = request.params;
      if (!(await storage.actions.get(request.tenant.id, actionId))) throw actionNotFound();
      const rolledBack = storage.actions.rollback(request.tenant.id, actionId, id, {
        updateDraft: request.body?.update_draft === true,
      });
      const { version } = await orNotFound(rolledBack, versionNotFound);
      const action = await storage.actions.get(request.tenant.id, actionId);
      return reply.code(202).send(versionWire(version, action));
    },
  );
}
