import type { FastifyInstance } from 'fastify';
import { inexistent } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { executionWire } from './actions-wire.ts';

/**
 * Auth0's `/actions/executions/{id}`: the record a trigger run leaves (the id is in the run's log line,
 * `execution`), so an admin can see which actions ran, how each ended, and what they logged.
 */
export function executionRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  api.get<{ Params: { id: string } }>(
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
      },
    },
    async (request) => {
      const execution = await storage.executions.get(request.tenant.id, request.params.id);
      if (!execution) throw inexistent('execution', 'The execution does not exist.');
      return executionWire(execution);
    },
  );
}
