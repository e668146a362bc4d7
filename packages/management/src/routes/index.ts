import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from '../plugin.ts';
import { logRoutes } from './logs.ts';

/** Every resource of the Management API, each in its own file (routes/<resource>.ts). */
export function managementRoutes(api: FastifyInstance, deps: ManagementDeps): void {
  logRoutes(api, deps);
}
