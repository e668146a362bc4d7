import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { freePort, startServer, type TestServer } from '../helpers.ts';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'pipe' },
  );
  let out = '';
  child.stdout!.on('data', (c) => {
    out += c;
  });
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(out); i++) await sleep(50);
  assert.match(out, /Ready to accept connections/);
  return child;
}

async function waitFor(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

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
    assert.deepEqual(await ready.json(), {
      status: 'unavailable',
      checks: { database: 'ok', kv: 'unavailable' },
      error_description: 'kv unavailable',
    });
    const needsKv = await fetch(`${server.url}/test/counter`);
    assert.equal(needsKv.status, 503);
    assert.equal(needsKv.headers.get('retry-after'), '5');
    assert.deepEqual(await needsKv.json(), {
      error: 'temporarily_unavailable',
      error_description: 'kv is unavailable',
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
