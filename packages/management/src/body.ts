import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { invalidBody, invalidQuery, invalidUri } from './errors.ts';

/**
 * The Management API reads JSON only. An empty body with a JSON content type is no body (scripts
 * send the header on every call, body-less deploys and deletes included); `__proto__` and
 * `constructor.prototype` keys are refused rather than parsed; any other media type answers 415.
 */
export function jsonBodies(api: FastifyInstance): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(invalidBody('Invalid request payload JSON format.'), undefined);
    }
  });
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
 * property is an error everywhere (SECURITY.md 40). `{}` and `null` are the SDK's way of sending none.
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
