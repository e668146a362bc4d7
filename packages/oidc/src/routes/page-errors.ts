import {
  type LoginPages,
  logMessageOf,
  TesseraError,
  toTesseraError,
  UNAVAILABLE_HEADERS,
} from '@tessera/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Failures on the login pages answer a page, not JSON: a person is reading. The text is the error's
 * public description (never an internal message) and the request id, so a support request can be
 * matched with the log.
 */
export function pageErrors(app: FastifyInstance, pages: LoginPages) {
  app.setErrorHandler((raw: FastifyError | Error, request, reply) =>
    sendErrorPage(pages, raw, request, reply),
  );
}

/** The error page for `raw`, with its status (docs/operations.md#how-the-server-behaves). */
export function sendErrorPage(
  pages: LoginPages,
  raw: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const error = toTesseraError(raw);
  // Fastify's own refusals (malformed or oversized form bodies) keep their 4xx status.
  const fastifyStatus = (raw as FastifyError).statusCode;
  const clientFault =
    !(raw instanceof TesseraError) &&
    fastifyStatus !== undefined &&
    fastifyStatus >= 400 &&
    fastifyStatus < 500;
  const httpStatus = clientFault ? fastifyStatus : error.status;
  if (httpStatus >= 500) request.log.error({ err: raw }, logMessageOf(raw, error.description));
  // As the JSON error handler does: a store that is down is worth retrying shortly.
  if (httpStatus === 503) reply.headers(UNAVAILABLE_HEADERS);
  return reply
    .code(httpStatus)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      pages.error({
        locale: pages.negotiateLocale(undefined, request.headers['accept-language']),
        tenantName: request.tenant?.friendlyName ?? request.tenant?.name ?? 'Tessera',
        assetsPath: '/u/assets',
        error: clientFault ? 'invalid_request' : error.code,
        description: clientFault
          ? 'The request could not be read.'
          : error.expose
            ? error.description
            : 'Something went wrong. Try again later.',
        requestId: request.id,
      }),
    );
}
