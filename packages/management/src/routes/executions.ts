import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { EXECUTION, executionWire } from './actions-wire.ts';

/**
 * Auth0's `/actions/executions/{id}`: the record a trigger run leaves (the id is in the run's log line,
 * `execution`), so an admin can see which actions ran, how each ended, and what they logged.
 */
export function executionRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/actions/executions/:id',
    {
      config: { scopes: ['read:actions'] },
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: EXECUTION },
      },
    },
    async (request) => {
      const execution = await storage.executions.get(request.tenant.id, request.params.id);
      if (!execution) throw inexistent('execution', 'The execution does not exist.');
      return executionWire(execution);
    },
  );
}
