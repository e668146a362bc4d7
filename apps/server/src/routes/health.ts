import { UNAVAILABLE_HEADERS } from '@tessera/core';
import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Named readiness checks; each resolves when its dependency answers. */
  checks: Record<string, () => Promise<void>>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `GET /health`: the process is alive (no dependency is consulted, so an orchestrator does not restart
 * a healthy process during a database outage). `GET /ready`: every dependency answers; 503 names the
 * failing ones, so a load balancer takes the process out of rotation until they return.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  app.get('/health', { config: { tenant: false } }, async () => ({ status: 'ok' }));

  app.get('/ready', { config: { tenant: false } }, async (_request, reply) => {
    const names = Object.keys(deps.checks);
    const results = await Promise.all(names.map((name) => withTimeout(deps.checks[name]!())));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'unavailable']));
    const failing = names.filter((_, i) => !results[i]);
    reply.header('cache-control', 'no-store');
    if (failing.length === 0) return { status: 'ready', checks };
    return reply
      .code(503)
      .headers(UNAVAILABLE_HEADERS)
      .send({ status: 'unavailable', checks, error_description: `${failing.join(' and ')} unavailable` });
  });
}

async function withTimeout(check: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
