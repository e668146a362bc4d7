import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityHeadersOptions {
  frameAncestors: string;
  /**
   * Send HSTS on every response: the public scheme is https (whether TLS ends here or at a proxy in
   * front, which a browser cannot tell apart) or this server terminates TLS itself.
   */
  hsts: boolean;
}

/**
 * Security headers on every response, errors and 404s included. The CSP allows no inline script and no
 * framing by default (clickjacking of login and consent pages); pages that must post cross-origin (OIDC
 * form_post, SAML auto-post) relax `form-action` on their own response.
 */
export const securityHeaders = fp(
  async (app: FastifyInstance, options: SecurityHeadersOptions) => {
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: https:",
      "object-src 'none'",
      "base-uri 'none'",
      `frame-ancestors ${options.frameAncestors}`,
    ].join('; ');
    // onRequest, not onSend: routes that hand the raw response to another framework (oidc-provider)
    // copy these headers before they do, since Fastify's send hooks never run for them.
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', csp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-resource-policy', 'same-site');
      if (options.frameAncestors === "'none'") reply.header('x-frame-options', 'DENY');
      // docs/security.md#51: without it a first visit over http (a link, a typed name) can be stripped.
      if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    });
  },
  { name: 'security-headers' },
);
