import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestEnvironment } from '@tessera/testing';
import type { FastifyInstance } from 'fastify';
import { logLines, runMain, startServer } from '../helpers.ts';

describe('graceful shutdown', () => {
  it('lets a request in flight finish, refuses new connections, then closes the database and KV store', async () => {
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const slow = async (app: FastifyInstance) => {
      app.get('/test/slow', async () => {
        entered();
        await sleep(700);
        return { finished: true };
      });
    };
    const server = await startServer({ plugins: [slow] });
    try {
      const pending = fetch(`${server.url}/test/slow`).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
      await inFlight;
      const closing = server.close();
      await sleep(50);
      await assert.rejects(fetch(`${server.url}/health`), 'no new connections while draining');
      assert.deepEqual(await pending, { status: 200, body: { finished: true } });
      await closing;
      await assert.rejects(server.storage.ping(), 'database closed');
    } finally {
      await server.stop();
    }
  });

  it('cuts requests that outlast TESSERA_SHUTDOWN_TIMEOUT_MS', async () => {
    const stuck = async (app: FastifyInstance) => {
      app.get('/test/stuck', () => new Promise(() => {}));
    };
    const server = await startServer({ plugins: [stuck], env: { TESSERA_SHUTDOWN_TIMEOUT_MS: '200' } });
    try {
      const outcome = new Promise<string>((resolve) => {
        request(`${server.url}/test/stuck`, (res) => resolve(`status ${res.statusCode}`))
          .on('error', (e) => resolve(e.message))
          .end();
      });
      await sleep(100);
      await server.close();
      assert.match(await outcome, /socket hang up|ECONNRESET/);
    } finally {
      await server.stop();
    }
  });

  it('exits 0 on SIGTERM after logging the drain', async () => {
    const environment = await createTestEnvironment({ LOG_LEVEL: 'info' });
    try {
      const result = await runMain(environment.env, {
        until: (out) => logLines(out).some((l) => l.msg === 'tessera is listening'),
      });
      assert.equal(result.code, 0, result.stderr);
      const messages = logLines(result.stdout).map((l) => l.msg);
      assert.ok(messages.includes('shutting down: draining in-flight requests'));
      assert.equal(messages.at(-1), 'shutdown complete');
    } finally {
      await environment.cleanup();
    }
  });
});
