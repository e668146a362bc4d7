import { parse } from 'node:querystring';
import { TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';

type Form = Record<string, unknown>;

/**
 * The access token of a `/userinfo` request when it is a JWT (three segments) presented by exactly
 * one of RFC 6750 §2's methods, all three accepted as Auth0 does: the Authorization header (§2.1), an
 * application/x-www-form-urlencoded POST body (§2.2) or the `access_token` query parameter (§2.3,
 * what passport-auth0 sends). Everything else (an opaque token, no token, several methods at once, a
 * malformed header, a repeated parameter) is left to oidc-provider, which counts the methods the same
 * way and answers both token kinds alike: `invalid_request` for more than one (RFC 6750 §2).
 */
export async function presentedJwt(request: FastifyRequest): Promise<string | undefined> {
  // A CORS preflight (OPTIONS) carries no credentials to answer, even with a token in its URL.
  if (request.method === 'OPTIONS') return undefined;
  const body = await formBody(request);
  const presented = [
    { method: 'header', value: request.headers.authorization },
    { method: 'body', value: body?.access_token },
    { method: 'query', value: (request.query as Form | undefined)?.access_token },
  ].filter(({ value }) => value !== undefined && value !== '');
  if (presented.length !== 1) return undefined;
  const [{ method, value }] = presented as [(typeof presented)[number]];
  const token = method === 'header' ? bearerCredentials(value) : value;
  return typeof token === 'string' && token.split('.').length === 3 ? token : undefined;
}

/** `Bearer <token>`, split as oidc-provider splits it (lib/helpers/oidc_context.js), else undefined. */
function bearerCredentials(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const parts = header.split(' ');
  return parts.length === 2 && parts[0]!.toLowerCase() === 'bearer' ? parts[1] : undefined;
}

/**
 * The body of a POST as oidc-provider will see it. provider-routes leaves the body stream unread for
 * the provider; a form is read here, parsed with the parser oidc-provider uses (a repeated parameter
 * stays an array, which it refuses) and handed on as `req.body`, the already-parsed body
 * oidc-provider falls back to (lib/shared/selective_body.js). A JSON body was parsed by Fastify and is
 * converted to a form by provider-routes.
 */
async function formBody(request: FastifyRequest): Promise<Form | undefined> {
  if (request.method !== 'POST') return undefined;
  if (request.body && typeof request.body === 'object') return request.body as Form;
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type) || !request.raw.readable) return undefined;
  const form: Form = parse(await readBody(request));
  (request.raw as typeof request.raw & { body?: Form }).body = form;
  return form;
}

/** The raw body as text, bounded by the route's body limit as every other body of the server is. */
async function readBody(request: FastifyRequest): Promise<string> {
  const limit = request.routeOptions.bodyLimit;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TesseraError(413, 'invalid_request', 'request body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
