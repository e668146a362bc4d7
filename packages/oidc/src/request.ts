import type { Tenant } from '@tessera/storage';

// The tenant of every request, resolved from its Host header by apps/server before any route runs.
// By then its Host and X-Forwarded-Host name that tenant's own domain, X-Forwarded-Proto the public
// scheme and X-Forwarded-For the vetted client address (docs/security.md#45): request.host,
// request.hostname and oidc-provider's ctx.host, ctx.secure and ctx.ip are safe to use.
declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}
