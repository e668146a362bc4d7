import type { Tenant } from '@tessera/storage';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TenantResolver } from '../tenancy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}

/**
 * Resolves the tenant of every request from its Host header (X-Forwarded-Host only from trusted
 * proxies, which Fastify's trustProxy decides), then pins the request's host to that tenant's own
 * domain (pinHost below). Routes that do not need a tenant (health probes)
 * opt out with `config: { tenant: false }` so a database outage cannot fail them.
 */
export const tenantResolution = fp(
  async (app: FastifyInstance, options: { resolver: TenantResolver; scheme: 'http' | 'https' }) => {
    app.decorateRequest('tenant', null as unknown as Tenant);
    app.addHook('onRequest', async (request) => {
      if ((request.routeOptions.config as { tenant?: boolean } | undefined)?.tenant === false) return;
      const { tenant, domain } = await options.resolver.resolve(request.host);
      request.tenant = tenant;
      pinHost(request, domain, options.scheme);
    });
  },
  { name: 'tenant-resolution' },
);

/**
 * docs/security.md#45: a URL built from a client's Host or X-Forwarded-* would send discovery
 * readers, cached documents and post-login redirects to the attacker's host. Before any route runs,
 * the raw request is rewritten so that everything downstream (Fastify's request.host and hostname,
 * oidc-provider's Koa contexts, which believe X-Forwarded-*) sees only vetted values: the tenant's own
 * domain, the configured public scheme (so Koa sets Secure cookies behind a TLS-terminating proxy,
 * docs/security.md#51) and the client address Fastify derived from trusted proxies only.
 */
function pinHost(request: FastifyRequest, domain: string, scheme: 'http' | 'https') {
  const ip = request.ip;
  const headers = request.raw.headers;
  headers.host = domain;
  headers['x-forwarded-host'] = domain;
  headers['x-forwarded-proto'] = scheme;
  if (ip) headers['x-forwarded-for'] = ip;
  else delete headers['x-forwarded-for'];
  delete headers.forwarded;
}
