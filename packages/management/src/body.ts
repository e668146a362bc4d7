import { InvalidJsonError, MAX_JSON_DEPTH, parseJsonBody } from '@tessera/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidBody, invalidQuery, invalidUri } from './errors.ts';

/**
 * The Management API reads JSON only. An empty body with a JSON content type is no body (scripts
 * send the header on every call, body-less deploys and deletes included); a body nested more than
 * MAX_JSON_DEPTH levels (docs/security.md#50) and `__proto__` or `constructor.prototype` keys are
 * refused before anything walks them; any other media type answers 415.
 */
export function jsonBodies(api: FastifyInstance): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      done(asInvalidBody(error), undefined);
    }
  });
}

/** The shared parser's refusals in Auth0's words (`invalid_body`), each naming what was wrong. */
function asInvalidBody(error: unknown): Error {
  if (!(error instanceof InvalidJsonError) || error.problem === 'syntax')
    return invalidBody('Invalid request payload JSON format.');
  if (error.problem === 'depth')
    return invalidBody(
      `Payload validation error: the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}.`,
    );
  return invalidBody(
    'Payload validation error: __proto__ and constructor.prototype keys are not allowed in the body.',
  );
}

/**
 * Text Postgres cannot store (NUL) or that is not well-formed UTF-16 (a lone surrogate, which jsonb
 * refuses) is refused in the path, the query and the body before any handler runs: a client mistake
 * answers 400, never a 500 from the database, and every accepted write can be audited.
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  if (hasUnstorable(request.params))
    throw invalidUri('Path validation error: the path contains a NUL or an invalid character.');
  if (hasUnstorable(request.query))
    throw invalidQuery('Query validation error: a parameter contains a NUL or an invalid character.');
  if (hasUnstorable(request.body))
    throw invalidBody('Payload validation error: a string contains a NUL or an invalid character.');
}

/**
 * Routes that take no body (deploys, rotations, deletes) refuse one that says something: an unknown
 * property is an error everywhere (docs/security.md#40). `{}` and `null` are the SDK's way of sending none.
 */
export async function refuseUnexpectedBody(request: FastifyRequest): Promise<void> {
  if (request.routeOptions.schema?.body !== undefined) return;
  const body = request.body;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw invalidBody('Payload validation error: this operation takes no request body.');
}

function hasUnstorable(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof value === 'string') return value.includes('\u0000') || !value.isWellFormed();
  if (Array.isArray(value)) return value.some((item) => hasUnstorable(item, depth + 1));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => hasUnstorable(key) || hasUnstorable(item, depth + 1));
}
