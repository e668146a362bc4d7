import type { ActionChanges, ActionSecretChange } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { listQuery, pageOf } from '../query.ts';
import { INTEGER, NO_CONTENT, wrappedList } from '../responses.ts';
import { checkCode } from './action-deploy.ts';
import { CREATE_ACTION, checkActionBody, ID_PARAMS, UPDATE_ACTION } from './actions-schema.ts';
import { ACTION, actionNotFound, actionWire, orNotFound } from './actions-wire.ts';
import { pick, sameAsStored } from './read-only.ts';

/** Auth0's actions lists: always wrapped, with the total and the page. */
const ACTION_LIST = wrappedList('actions', ACTION, { total: INTEGER, page: INTEGER, per_page: INTEGER });

/** A secret of the body as the repository takes it (its `updated_at`, if sent back, is ignored). */
const secretChange = ({ name, value }: ActionSecretChange): ActionSecretChange =>
  value === undefined ? { name } : { name, value };

/**
 * Auth0's `/actions/actions`: drafts. Editing a draft never changes what logins run; only a deploy
 * (routes/action-deploy.ts) or a roll back (routes/action-versions.ts) does.
 */
export function actionRoutes(api: ManagementApi, deps: ManagementDeps): void {
  const { storage } = deps;

  api.post(
    '/actions/actions',
    {
      config: { scopes: ['create:actions'], audit: 'Create an action' },
      schema: { body: CREATE_ACTION, response: { 201: ACTION } },
    },
    async (request, reply) => {
      const { body } = request;
      const { supportedTriggers } = checkActionBody(body, deps.actions.allowedModules);
      const code = body.code ?? '';
      // `deploy: true` deploys version 1 with the action: the code passes the deploy check first.
      if (body.deploy) await checkCode(deps, code);
      const action = await storage.actions.create(
        request.tenant.id,
        {
          name: body.name,
          code,
          supportedTriggers: supportedTriggers!,
          ...(body.runtime === undefined ? {} : { runtime: body.runtime }),
          dependencies: [],
          secrets: body.secrets?.map(secretChange) ?? [],
        },
        { deploy: body.deploy === true },
      );
      return reply.code(201).send(actionWire(action));
    },
  );

  api.get(
    '/actions/actions',
    {
      config: { scopes: ['read:actions'] },
      schema: {
        querystring: listQuery(
          {
            triggerId: { type: 'string', maxLength: 64 },
            actionName: { type: 'string', maxLength: 256 },
            deployed: { type: 'boolean' },
            installed: { type: 'boolean' },
          },
          { totals: false },
        ),
        response: { 200: ACTION_LIST },
      },
    },
    async (request) => {
      const { triggerId, actionName, deployed, installed } = request.query;
      // Auth0: 20 by default; the list is always wrapped with its total.
      const { page, perPage } = pageOf(request.query, 20);
      // Every action in Tessera is a custom one: none comes installed from a marketplace integration.
      const { actions, total } =
        installed === true
          ? { actions: [], total: 0 }
          : await storage.actions.list(request.tenant.id, {
              ...(triggerId === undefined ? {} : { triggerId }),
              ...(actionName === undefined ? {} : { name: actionName }),
              ...(deployed === undefined ? {} : { deployed }),
              skip: page * perPage,
              take: perPage,
            });
      return { actions: actions.map(actionWire), total, page, per_page: perPage };
    },
  );

  api.get(
    '/actions/actions/:id',
    { config: { scopes: ['read:actions'] }, schema: { params: ID_PARAMS, response: { 200: ACTION } } },
    async (request) => {
      const action = await storage.actions.get(request.tenant.id, request.params.id);
      if (!action) throw actionNotFound();
      return actionWire(action);
    },
  );

  api.patch(
    '/actions/actions/:id',
    {
      config: { scopes: ['update:actions'], audit: 'Update an action' },
      schema: { params: ID_PARAMS, body: UPDATE_ACTION, response: { 200: ACTION } },
    },
    async (request) => {
      const { body } = request;
      sameAsStored(pick(body, ['id']), { id: request.params.id });
      const { supportedTriggers } = checkActionBody(body, deps.actions.allowedModules);
      const changes: ActionChanges = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.code === undefined ? {} : { code: body.code }),
        ...(body.runtime === undefined ? {} : { runtime: body.runtime }),
        ...(body.dependencies === undefined ? {} : { dependencies: [] }),
        ...(supportedTriggers === undefined ? {} : { supportedTriggers }),
        ...(body.secrets === undefined ? {} : { secrets: body.secrets.map(secretChange) }),
      };
      const action = storage.actions.update(request.tenant.id, request.params.id, changes);
      return actionWire(await orNotFound(action, actionNotFound));
    },
  );

  api.delete(
    '/actions/actions/:id',
    {
      config: { scopes: ['delete:actions'], audit: 'Delete an action' },
      schema: {
        params: ID_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { force: { type: 'boolean' } },
        },
        response: NO_CONTENT,
      },
    },
    async (request, reply) => {
      const force = request.query.force === true;
      await orNotFound(
        storage.actions.delete(request.tenant.id, request.params.id, { force }),
        actionNotFound,
      );
      return reply.code(204).send();
    },
  );
}
