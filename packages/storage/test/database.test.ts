import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, ServiceUnavailableError, silentLogger } from '@tessera/core';
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { openDatabase } from '../src/database.ts';
import { openStorage } from '../src/storage.ts';

const needsPostgres = process.env.DATABASE_URL ? false : 'needs DATABASE_URL (a real Postgres server)';

function recordingLogger(): Logger & { warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const log = {
    ...silentLogger,
    warnings,
    warn: (obj: object | string) => void warnings.push(obj as Record<string, unknown>),
  };
  return { ...log, child: () => log };
}

/** A TCP relay to the Postgres server that a test can cut and restore, like a network failure. */
async function relay(target: URL, port = 0) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {}).on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async cut() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('openDatabase on an unreachable Postgres', () => {
  it('retries with growing delays, then gives up naming the server but not the password', async () => {
    const log = recordingLogger();
    const started = Date.now();
    await assert.rejects(
      openDatabase({
        url: 'postgresql://tessera:s3cret@127.0.0.1:1/app',
        dataDir: tmpdir(),
        bootRetryMs: 800,
        poolSize: 1,
        log,
      }),
      (error: Error) => {
        assert.match(error.message, /^the database at 127\.0\.0\.1:1\/app is unreachable after \d+ ms/);
        assert.ok(!error.message.includes('s3cret'));
        return true;
      },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 800, `gave up after ${elapsed} ms, before the retry window ended`);
    // Exponential backoff, logged at each retry: 100, 200, 400 ms…, except that the last wait is cut
    // to what is left of the window (on a loaded machine that may already be the second or third).
    const delays = log.warnings.map((w) => w.retryInMs as number);
    assert.ok(delays.length >= 1, 'each retry is logged');
    delays.forEach((delay, i) => {
      const doubled = 100 * 2 ** i;
      if (i < delays.length - 1) assert.equal(delay, doubled, `retry ${i + 1} waits ${doubled} ms`);
      else assert.ok(delay > 0 && delay <= doubled, `the last retry waits at most ${doubled} ms (${delay})`);
    });
    assert.ok(!JSON.stringify(log.warnings).includes('s3cret'));
  });

  it('connects when the server comes up within the retry window', { skip: needsPostgres }, async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const probe = await relay(target);
    await probe.cut(); // a port that is free now and refuses connections
    const url = new URL(target);
    url.port = String(probe.port);
    const opening = openDatabase({
      url: url.toString(),
      dataDir: tmpdir(),
      bootRetryMs: 10_000,
      poolSize: 1,
      log: silentLogger,
    });
    await sleep(400);
    const late = await relay(target, probe.port);
    const db = await opening;
    try {
      await db.ping();
    } finally {
      await db.close();
      await late.cut();
    }
  });

  it('fails at once on a database that does not exist', { skip: needsPostgres }, async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/tessera_missing_${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    await assert.rejects(
      openDatabase({
        url: url.toString(),
        dataDir: tmpdir(),
        bootRetryMs: 10_000,
        poolSize: 1,
        log: silentLogger,
      }),
      /refused the connection/,
    );
    assert.ok(Date.now() - started < 2_000);
  });
});

describe('ping', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database?.drop());

  it('answers while the database does, and fails as ServiceUnavailable once it is gone', async () => {
    const db = await openDatabase({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 1,
      log: silentLogger,
    });
    await db.ping();
    await db.close();
    await assert.rejects(
      db.ping(),
      (error) => error instanceof ServiceUnavailableError && error.dependency === 'database',
    );
  });

  it('recovers when the network to Postgres comes back', { skip: needsPostgres }, async () => {
    const target = new URL(database.url!);
    const first = await relay(target);
    const url = new URL(target);
    url.port = String(first.port);
    const db = await openDatabase({
      url: url.toString(),
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 1,
      log: silentLogger,
    });
    try {
      await first.cut();
      await assert.rejects(db.ping(), ServiceUnavailableError);
      const second = await relay(target, first.port);
      await db.ping();
      await second.cut();
    } finally {
      await db.close();
    }
  });
});

describe('openStorage', () => {
  it('refuses a master key of the wrong size before touching the database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-storage-'));
    try {
      const options = { url: undefined, dataDir, bootRetryMs: 0, poolSize: 1, log: silentLogger };
      await assert.rejects(
        openStorage({ ...options, masterKey: randomBytes(16) }),
        /master key must be 32 bytes/,
      );
      await assert.rejects(access(join(dataDir, 'pglite')), { code: 'ENOENT' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
