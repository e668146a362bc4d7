import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisOptions {
  /**
   * Keep the data across a restart, as a Redis with persistence does: `stopRedis` then saves a
   * snapshot in `dir` and the next `startRedis` on the same `dir` loads it. Without it the store is
   * memory only and a restart starts empty, like a lost node.
   */
  dir?: string;
}

/** A redis-server of the test's own on `port` (127.0.0.1 only); resolves once it accepts connections. */
export async function startRedis(port: number, options: RedisOptions = {}): Promise<ChildProcess> {
  const persistence = options.dir ? ['--dir', options.dir, '--dbfilename', 'dump.rdb'] : [];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...persistence],
    { stdio: 'pipe' },
  );
  let out = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(out); i++) await sleep(50);
  assert.match(out, /Ready to accept connections/);
  return child;
}

/**
 * Stops a redis-server started by `startRedis`. With `save`, it writes its snapshot first (SIGTERM
 * saves only when save points are configured, so the test asks for it with SHUTDOWN SAVE).
 */
export async function stopRedis(
  redis: ChildProcess,
  options: { save?: { port: number } } = {},
): Promise<void> {
  if (redis.exitCode !== null || redis.signalCode !== null) return;
  const exited = once(redis, 'exit');
  if (options.save) {
    const shutdown = spawn(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(options.save.port), 'SHUTDOWN', 'SAVE'],
      {
        stdio: 'ignore',
      },
    );
    await once(shutdown, 'exit');
  } else {
    redis.kill('SIGTERM');
  }
  await exited;
}

/**
 * A TCP relay to a server (Postgres, Redis) that a test cuts and restores, like a network failure
 * between Tessera and that server: `cut` drops every connection and refuses new ones (also how it is
 * closed); `restore` listens again on the same port.
 */
export async function startRelay(target: URL, defaultPort = 5432) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const listener = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || defaultPort), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {}).on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    listener.listen(port, '127.0.0.1');
    await once(listener, 'listening');
    server = listener;
    port = (listener.address() as { port: number }).port;
  };
  await listen();
  const relayed = new URL(target);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  return {
    /** The target's URL through the relay. */
    url: relayed.toString(),
    async cut() {
      const closing = server === undefined ? undefined : new Promise((resolve) => server!.close(resolve));
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await closing;
    },
    async restore() {
      if (server === undefined) await listen();
    },
  };
}

/** Polls `check` every 25 ms until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
