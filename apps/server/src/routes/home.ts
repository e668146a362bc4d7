import { issuerFor } from '@tessera/core';
import type { HomePageModel } from '@tessera/login-ui';
import { primaryDomain } from '@tessera/storage';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface HomeDeps {
  scheme: 'http' | 'https';
  page: (model: HomePageModel) => string;
  negotiateLocale: (uiLocales: string | undefined, acceptLanguage: string | undefined) => string;
}

/**
 * `GET /`: a person who opens the server's address learns what it is, its issuer and where to go
 * next, instead of a 404. A client that asks for JSON (and not HTML) gets the same facts as JSON.
 * HEAD is answered by Fastify from the GET route. The headers are every page's (no script at all).
 */
export async function homeRoutes(app: FastifyInstance, deps: HomeDeps) {
  app.get('/', async (request, reply) => {
    const issuer = issuerFor(primaryDomain(request.tenant) ?? 'localhost', deps.scheme);
    const discoveryUrl = `${issuer}.well-known/openid-configuration`;
    reply.header('vary', 'accept, accept-language').header('cache-control', 'no-cache');
    if (wantsJson(request)) {
      return reply.send({
        name: 'Tessera',
        issuer,
        openid_configuration: discoveryUrl,
        documentation: 'README.md and docs/ in the Tessera repository',
        try: 'pnpm tessera try',
      });
    }
    return reply.type('text/html; charset=utf-8').send(
      deps.page({
        locale: deps.negotiateLocale(undefined, request.headers['accept-language']),
        tenantName: request.tenant.friendlyName ?? request.tenant.name,
        assetsPath: '/u/assets',
        issuer,
        discoveryUrl,
      }),
    );
  });
}

/** JSON only when asked for and HTML is not: a browser names text/html, a script names JSON. */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}
