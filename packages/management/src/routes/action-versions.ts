import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { listQuery, pageOf } from '../query.ts';
import { INTEGER, wrappedList } from '../responses.ts';
import { ACTION_VERSION, actionNotFound, orNotFound, versionNotFound, versionWire } from './actions-wire.ts';

const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const VERSION_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['actionId', 'id'],
  properties: { actionId: ID, id: ID },
} as const;

/** Auth0's `/actions/actions/{actionId}/versions`: the immutable deployed snapshots, and roll back. */
export function actionVersionRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
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
        querystring: listQuery({}, { totals: false }),
        response: {
          200: wrappedList('versions', ACTION_VERSION, { total: INTEGER, page: INTEGER, per_page: INTEGER }),
        },
      },
    },
    async (request) => {
      const { page, perPage } = pageOf(request.query, 20);
      const listed = storage.actions.versions(request.tenant.id, request.params.actionId, {
        skip: page * perPage,
        take: perPage,
      });
      const { versions, total } = await orNotFound(listed, actionNotFound);
      return { versions: versions.map((v) => versionWire(v)), total, page, per_page: perPage };
    },
  );

  api.get(
    '/actions/actions/:actionId/versions/:id',
    {
      config: { scopes: ['read:actions'] },
      schema: { params: VERSION_PARAMS, response: { 200: ACTION_VERSION } },
    },
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
  api.post(
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
        response: { 202: ACTION_VERSION },
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
