import { logMessageOf, UNAVAILABLE_HEADERS } from '@tessera/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { recordWrite } from './audit.ts';
import { authenticate, type Caller, requireScope } from './auth.ts';
import { jsonBodies, refuseUnexpectedBody, refuseUnstorableText } from './body.ts';
import type { ManagementDeps, ManagementTypes } from './deps.ts';
import { ApiError, toAuth0Error } from './errors.ts';
import { requireSuccessSchema } from './responses.ts';
import { managementRoutes } from './routes/index.ts';
import { validatorCompiler } from './validation.ts';

const notFound = (request: FastifyRequest) =>
  new ApiError(404, 'not_found', `Not Found: ${request.method} ${request.url.split('?')[0]}`);

/**
 * Auth0's Management API v2 under `/api/v2`, in its own encapsulated scope with its own wire format
 * (errors as `{ statusCode, error, message, errorCode }`), validation (unknown properties refused,
 * docs/security.md#40), authentication (client-credentials JWTs, docs/security.md#39) and audit log (every
 * write, `sapi` / `fapi`).
 */
export function createManagement(deps: ManagementDeps): FastifyPluginAsync {
  return async (fastify: FastifyInstance) => {
    await fastify.register(
      async (api) => {
        api.decorateRequest('caller', null as unknown as Caller);
        api.setValidatorCompiler(validatorCompiler);
        jsonBodies(api);
        api.setErrorHandler((raw, request, reply) => {
          const { status, body, internal } = toAuth0Error(raw);
          if (internal) request.log.error({ err: raw }, logMessageOf(raw, 'management api failure'));
          else request.log.info({ errorCode: body.errorCode }, body.message);
          if (status === 401) reply.header('www-authenticate', 'Bearer');
          if (status === 503) reply.headers(UNAVAILABLE_HEADERS);
          return reply.code(status).send(body);
        });
        api.setNotFoundHandler((request) => {
          throw notFound(request);
        });
        api.addHook('onRequest', async (request, reply) => {
          reply.header('cache-control', 'no-store');
          // An unknown path answers 404 here, before its body is parsed or checked and before any
          // token: whatever it carries, tools read 404 as "not supported here" (a 400 or 415 would
          // fail their run). The route table is public (Auth0's documented API), so answering 404
          // without authentication tells a caller nothing, and costs no key lookup.
          if (request.is404) throw notFound(request);
          const scopes = request.routeOptions.config?.scopes;
          // Every route names its scopes; one that forgot fails closed and loudly, never public.
          if (scopes === undefined) throw new Error(`no scopes on ${request.routeOptions.url}`);
          request.caller = await authenticate(
            request,
            deps.storage,
            request.tenant,
            deps.issuerOf(request.tenant),
          );
          requireScope(request.caller, scopes);
        });
        api.addHook('preValidation', refuseUnstorableText);
        api.addHook('preValidation', refuseUnexpectedBody);
        api.addHook('onResponse', async (request, reply) => {
          await recordWrite(deps, request, reply.statusCode);
        });
        // Every route declares the schema of its success answer (responses.ts); one that does not
        // stops the boot, as a route without scopes fails its requests.
        api.addHook('onRoute', requireSuccessSchema);
        managementRoutes(api.withTypeProvider<ManagementTypes>(), deps);
      },
      { prefix: '/api/v2' },
    );
  };
}
