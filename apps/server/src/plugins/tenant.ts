import type { Tenant } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TenantResolver } from '../tenancy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}

/**
 * Resolves the tenant of every request from its Host header (X-Forwarded-Host only from trusted
 * proxies, which Fastify's trustProxy decides). Routes that do not need a tenant (health probes)
 * opt out with `config: { tenant: false }` so a database outage cannot fail them.
 */
export const tenantResolution = fp(
  async (app: FastifyInstance, options: { resolver: TenantResolver }) => {
    app.decorateRequest('tenant', null as unknown as Tenant);
    app.addHook('onRequest', async (request) => {
      if ((request.routeOptions.config as { tenant?: boolean } | undefined)?.tenant === false) return;
      request.tenant = await options.resolver.resolve(request.host);
    });
  },
  { name: 'tenant-resolution' },
);
