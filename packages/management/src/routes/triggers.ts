import { NotFoundError } from '@tessera/core';
import type { BindingRef } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidBody } from '../errors.ts';
import { listQuery, pageOf } from '../query.ts';
import { arrayOf, INTEGER, object, wrappedList } from '../responses.ts';
import { BINDING, bindingWire, POST_LOGIN, TRIGGER } from './actions-wire.ts';

const TRIGGER_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['triggerId'],
  properties: { triggerId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const BINDINGS_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['bindings'],
  properties: {
    bindings: {
      // Auth0's limit (20) is the repository's, with its message; this only bounds the request.
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ref'],
        properties: {
          ref: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'value'],
            properties: {
              type: { type: 'string', enum: ['action_id', 'action_name', 'binding_id'] },
              value: { type: 'string', minLength: 1, maxLength: 256 },
            },
          },
          display_name: { type: 'string', minLength: 1, maxLength: 256 },
          secrets: { type: 'array', maxItems: 100 },
        },
      },
    },
  },
} as const;

/** Tessera runs post-login only: any other trigger is unknown here, whatever Auth0 calls it. */
function checkTrigger(triggerId: string): void {
  if (triggerId !== POST_LOGIN.id)
    throw inexistent(
      'trigger',
      `The trigger ${triggerId} does not exist; Tessera runs actions on post-login only.`,
    );
}

const REF_FIELD = { action_id: 'actionId', action_name: 'actionName', binding_id: 'bindingId' } as const;

/** Auth0's `/actions/triggers` and each trigger's ordered bindings (a "flow"). */
export function triggerRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/actions/triggers',
    { config: { scopes: ['read:actions'] }, schema: { response: { 200: wrappedList('triggers', TRIGGER) } } },
    async () => ({
      triggers: [{ ...POST_LOGIN, runtimes: [...POST_LOGIN.runtimes], compatible_triggers: [] }],
    }),
  );

  api.get(
    '/actions/triggers/:triggerId/bindings',
    {
      config: { scopes: ['read:actions'] },
      schema: {
        params: TRIGGER_PARAMS,
        querystring: listQuery({}, { totals: false }),
        response: {
          200: wrappedList('bindings', BINDING, { total: INTEGER, page: INTEGER, per_page: INTEGER }),
        },
      },
    },
    async (request) => {
      checkTrigger(request.params.triggerId);
      const { page, perPage } = pageOf(request.query, 20);
      const { bindings, total } = await storage.actions.listBindings(
        request.tenant.id,
        request.params.triggerId,
        {
          skip: page * perPage,
          take: perPage,
        },
      );
      return { bindings: bindings.map(bindingWire), total, page, per_page: perPage };
    },
  );

  // The whole ordered list is replaced in one transaction; concurrent replacements take turns and
  // the last one wins whole. A bad entry (unknown, undeployed, another trigger's action, bound twice,
  // more than 20) refuses the request and leaves the current list as it was.
  api.patch(
    '/actions/triggers/:triggerId/bindings',
    {
      config: { scopes: ['update:actions'], audit: 'Update trigger bindings' },
      schema: {
        params: TRIGGER_PARAMS,
        body: BINDINGS_BODY,
        response: { 200: object({ bindings: arrayOf(BINDING) }) },
      },
    },
    async (request) => {
      checkTrigger(request.params.triggerId);
      const refs: BindingRef[] = request.body.bindings.map((binding) => {
        // Secrets belong to the action (set them on the action); a binding has none of its own here.
        if (binding.secrets !== undefined && binding.secrets.length > 0)
          throw invalidBody(
            'Binding secrets are not supported by Tessera; set secrets on the action instead.',
          );
        return {
          [REF_FIELD[binding.ref.type]]: binding.ref.value,
          ...(binding.display_name === undefined ? {} : { displayName: binding.display_name }),
        };
      });
      const replaced = storage.actions.replaceBindings(request.tenant.id, request.params.triggerId, refs);
      const bindings = await replaced.catch((error: unknown) => {
        throw error instanceof NotFoundError ? inexistent('action', `The ${error.description}.`) : error;
      });
      return { bindings: bindings.map(bindingWire) };
    },
  );
}
