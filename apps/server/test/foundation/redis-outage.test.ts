import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { startRedis, waitFor } from '@tessera/testing';
import type { FastifyInstance } from 'fastify';
import { freePort, startServer, type TestServer } from '../helpers.ts';

describe('Redis stopped while the server runs', () => {
  let port: number;
  let redis: ChildProcess;
  let server: TestServer;
  /** A route that needs the KV store (registered by this test; feature routes arrive with their issues). */
  const counter = async (app: FastifyInstance) => {
    app.get('/test/counter', async () => ({
      count: (await server.kv.reserve([{ key: 'counter', max: 1000, ttlMs: 60_000 }])).counts[0],
    }));
  };
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    server = await startServer({
      plugins: [counter],
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, TESSERA_REDIS_PREFIX: 'outage:' },
    });
  });
  after(async () => {
    await server.stop();
    redis.kill('SIGKILL');
  });

  it('is ready while Redis answers', async () => {
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);
    assert.deepEqual(await (await fetch(`${server.url}/test/counter`)).json(), { count: 1 });
  });

  it('reports kv unavailable on /ready, answers 503 to requests that need it, and stays alive', async () => {
    redis.kill('SIGTERM');
    await once(redis, 'exit');
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('retry-after'), '5', 'a load balancer may retry it shortly');
    assert.deepEqual(await ready.json(), {
      status: 'unavailable',
      checks: { database: 'ok', kv: 'unavailable' },
      error_description: 'kv unavailable',
    });
    const needsKv = await fetch(`${server.url}/test/counter`);
    assert.equal(needsKv.status, 503);
    assert.equal(needsKv.headers.get('retry-after'), '5');
    assert.equal(needsKv.headers.get('cache-control'), 'no-store');
    // The public sentence; which store failed, and why, is for the log only.
    assert.deepEqual(await needsKv.json(), {
      error: 'temporarily_unavailable',
      error_description: 'The service is temporarily unavailable; try again in a moment.',
    });
    assert.equal((await fetch(`${server.url}/health`)).status, 200, 'the process is alive');
  });

  it('recovers by itself when Redis returns', async () => {
    redis = await startRedis(port);
    await waitFor(async () => (await fetch(`${server.url}/ready`)).status === 200, '/ready to recover');
    assert.deepEqual(
      await (await fetch(`${server.url}/test/counter`)).json(),
      { count: 1 },
      'a fresh Redis, working again',
    );
  });
});
