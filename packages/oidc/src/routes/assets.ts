import type { LoginPages } from '@tessera/core';
import type { FastifyInstance } from 'fastify';

/** The login pages' stylesheet; its URL carries the content hash, so it may be cached for a year. */
export async function assetRoutes(app: FastifyInstance, options: { pages: LoginPages }) {
  const { body, hash } = options.pages.stylesheet();
  app.get('/u/assets/tessera.css', { config: { tenant: false } }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', `"${hash}"`)
      .send(body),
  );
  // The one script of the pages: re-posts the `/continue` form from Tessera's own origin (continue.ts).
  app.get('/u/assets/resubmit.js', { config: { tenant: false } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(RESUBMIT_SCRIPT),
  );
}

const RESUBMIT_SCRIPT = "document.getElementById('resubmit').submit();\n";
