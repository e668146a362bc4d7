import type { Tenant } from '@tessera/storage';

// The tenant of every request, resolved from its Host header by apps/server before any route runs.
declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}
