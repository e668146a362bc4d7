import { type LoginPages, parseJsonBody, ServiceUnavailableError } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from '../configuration.ts';
import type { TenantProviders } from '../providers.ts';
import { presentedJwt } from './bearer-token.ts';
import { answerJwtUserinfo } from './jwt-userinfo.ts';
import { sendErrorPage } from './page-errors.ts';

/** Paths a person opens in a browser: a failure there is a page whatever the request accepts, as oidc-provider does. */
const BROWSER_PATHS = new Set([ROUTES.authorization, '/authorize/:uid']);

/** Every path oidc-provider answers: Auth0's (ROUTES) plus discovery and its internal resume and logout steps. */
const PROVIDER_PATHS = [
  ...Object.values(ROUTES),
  '/.well-known/openid-configuration',
  '/authorize/:uid',
  `${ROUTES.end_session}/confirm`,
  `${ROUTES.end_session}/success`,
];

/**
 * Hands the protocol endpoints to the tenant's oidc-provider (a Koa app) with the raw request and
 * response. The body stream is left unread so the provider parses it itself; a JSON body on the
 * token endpoint (Auth0 accepts JSON there, RFC 6749 only forms) is converted to a form first.
 */
export async function providerRoutes(
  app: FastifyInstance,
  options: { providers: TenantProviders; storage: Storage; pages: LoginPages },
) {
  const callbacks = new WeakMap<object, ReturnType<import('oidc-provider').default['callback']>>();

  app.removeAllContentTypeParsers();
  // docs/security.md#50: bounded depth, no prototype keys; a refusal is RFC 6749 §5.2's invalid_request.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  // Before oidc-provider runs, the tenant and its provider may need the database: a store that is
  // down answers there as oidc-provider would (unavailable.ts), a page to a browser and JSON to a
  // program. Anything else goes on to the server's JSON handler.
  app.setErrorHandler((error, request, reply) => {
    if (!(error instanceof ServiceUnavailableError) || !wantsPage(request)) throw error;
    return sendErrorPage(options.pages, error, request, reply);
  });

  const handoff = async (request: FastifyRequest, reply: FastifyReply) => {
    const provider = await options.providers.get(request.tenant);
    const jwt = request.routeOptions.url === ROUTES.userinfo ? await presentedJwt(request) : undefined;
    if (jwt) {
      const keys = options.providers.verificationKeys(provider);
      return answerJwtUserinfo(options.storage, request.tenant, provider, keys, jwt, reply);
    }
    let callback = callbacks.get(provider);
    if (!callback) {
      callback = provider.callback();
      callbacks.set(provider, callback);
    }
    if (request.body && typeof request.body === 'object') jsonToForm(request);
    // The request id, as every other response carries it (app.ts sets it on send, which a hijacked
    // reply skips); unavailable.ts and the error page read it back to log and show it.
    reply.header('x-request-id', request.id);
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string);
    }
    reply.hijack();
    await callback(request.raw, reply.raw);
  };

  for (const url of PROVIDER_PATHS) {
    app.route({ method: ['GET', 'HEAD', 'POST', 'OPTIONS'], url, handler: handoff });
  }
}

/** A browser's request (it names text/html in Accept), or a path only browsers open. */
function wantsPage(request: FastifyRequest): boolean {
  return (
    BROWSER_PATHS.has(request.routeOptions.url ?? '') || /\btext\/html\b/i.test(request.headers.accept ?? '')
  );
}

function jsonToForm(request: FastifyRequest) {
  const entries = Object.entries(request.body as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]): [string, string] => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]);
  const form = new URLSearchParams(entries).toString();
  const raw = request.raw as typeof request.raw & { body?: Record<string, string> };
  // oidc-provider reads an already-consumed body from req.body; it needs a matching content-type
  // and content-length to accept it.
  raw.body = Object.fromEntries(entries);
  raw.headers['content-type'] = 'application/x-www-form-urlencoded';
  raw.headers['content-length'] = String(Buffer.byteLength(form));
  delete raw.headers['transfer-encoding'];
}
