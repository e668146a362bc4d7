import { logMessageOf, TesseraError, toTesseraError, UNAVAILABLE_HEADERS } from '@tessera/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The one place where failures become responses. Fastify's own errors (bad JSON, body too large,
 * unsupported media type) keep their 4xx status; anything unknown is a 500 whose details stay in the
 * log. Body: `{ error, error_description }` (RFC 6749 §5.2 shape); a store that cannot be reached is
 * a 503 `temporarily_unavailable` worth retrying (docs/operations.md#how-the-server-behaves). Feature
 * routes with another wire format (Management API, login pages) install their own handler in their
 * encapsulated scope.
 */
export const errorHandling = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((raw: FastifyError | Error, request, reply) => {
      const error = fromFastify(raw) ?? toTesseraError(raw);
      // The request logger carries the request id; `err` carries the cause (a 503's store and why).
      if (error.status >= 500) request.log.error({ err: raw }, logMessageOf(error, error.description));
      else request.log.info({ code: error.code }, error.description);
      if (error.status === 503) reply.headers(UNAVAILABLE_HEADERS);
      return reply.code(error.status).send({
        error: error.code,
        error_description: error.expose ? error.description : 'internal server error',
      });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({
        error: 'not_found',
        error_description: `no route for ${request.method} ${request.url.split('?')[0]}`,
      }),
    );
  },
  { name: 'error-handling' },
);

function fromFastify(error: FastifyError | Error): TesseraError | undefined {
  if (error instanceof TesseraError) return error;
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new TesseraError(status, 'invalid_request', error.message);
  }
  return undefined;
}
