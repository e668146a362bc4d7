import { parseJsonBody } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Fastify's default JSON parser replaced, for the whole server, by the shared bounded one
 * (docs/security.md#50): any route that may receive JSON without a parser of its own (the login pages,
 * `/continue`, routes added later) refuses a body nested more than MAX_JSON_DEPTH levels, or holding a
 * `__proto__` or `constructor.prototype` key, with a 400 before a handler sees it. Registered before
 * the features, whose scopes inherit it; the protocol endpoints and the Management API install the
 * same parser with their own empty-body rules.
 */
export const boundedJsonBodies = fp(
  async (app: FastifyInstance) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  },
  { name: 'bounded-json-bodies' },
);
