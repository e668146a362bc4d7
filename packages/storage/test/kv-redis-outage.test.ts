import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KvStore, type Logger, ServiceUnavailableError } from '@tessera/core';
import { createRedisKv } from '../src/kv/index.ts';

// A private redis-server on a free port, stopped and restarted under a live store: the shared Redis
// must never be disturbed, so this file owns its server for its whole run.

const port = await freePort();
const url = `redis://127.0.0.1:${port}`;
let server: ChildProcess | undefined;
const stores: KvStore[] = [];
const unexpected: unknown[] = [];
const record = (error: unknown) => unexpected.push(error);
process.on('uncaughtException', record).on('unhandledRejection', record);

after(async () => {
  server?.kill('SIGKILL');
  await Promise.all(stores.map((kv) => kv.close()));
  process.off('uncaughtException', record).off('unhandledRejection', record);
});

describe('redis kv when Redis goes away', () => {
  const main = recordingLogger();
  let kv: KvStore;

  it('a store created while Redis is down fails fast, then works once Redis starts', async () => {
    const early = open(recordingLogger().log);
    await failsFast(early.get('k'));
    await failsFast(early.ping());
    await startServer();
    await recovers(early);
  });

  it('operations sent right after creation wait for the first connection', async () => {
    kv = open(main.log);
    await kv.set('first', 'v');
    assert.equal(await kv.get('first'), 'v');
  });

  it('a frozen server (no reply, no RST) fails commands at the command timeout', async () => {
    const impatient = open(recordingLogger().log, 300);
    await impatient.ping();
    server!.kill('SIGSTOP');
    try {
      await failsFast(impatient.get('k'));
    } finally {
      server!.kill('SIGCONT');
    }
    await recovers(impatient);
  });

  it('every operation rejects with ServiceUnavailableError once the server dies', async () => {
    await stopServer();
    await failsFast(kv.get('k'));
    await failsFast(kv.set('k', 'v', 1_000));
    await failsFast(kv.delete('k'));
    await failsFast(kv.consume('k'));
    await failsFast(kv.compareAndSet('k', null, 'v'));
    await failsFast(kv.reserve([{ key: 'k', max: 1, ttlMs: 1_000 }]));
    await failsFast(kv.release([{ key: 'k' }]));
    await failsFast(kv.ttl('k'));
    await failsFast(kv.scoped('s:').get('k'));
    await failsFast(kv.ping());
    // Let several reconnect attempts fail: each emits 'error', none may crash the process or flood logs.
    await sleep(1_000);
    assert.deepEqual(unexpected, []);
    assert.equal(main.lines.filter((l) => l.level === 'warn').length, 1, 'one warn per interval');
  });

  it('recovers by itself when the server returns on the same port', async () => {
    await startServer();
    await recovers(kv);
    const back = main.lines.find((l) => l.msg === 'kv store reachable again');
    assert.ok(back, 'recovery is logged');
    assert.ok(
      (back.obj as { suppressed: number }).suppressed >= 1,
      'repeated errors were counted, not logged',
    );
    assert.deepEqual(unexpected, []);
  });

  it('close() resolves while the server is down', async () => {
    await stopServer();
    await guard(kv.close(), 'close');
  });
});

function open(log: Logger, commandTimeout?: number) {
  const redisOptions = commandTimeout === undefined ? undefined : { commandTimeout };
  const kv = createRedisKv({ url, prefix: 'tessera:test:outage:', log, redisOptions });
  stores.push(kv);
  return kv;
}

/** Rejects with ServiceUnavailableError; the 2 s timer only guards against a hang. */
async function failsFast(operation: Promise<unknown>) {
  await assert.rejects(guard(operation, 'operation'), ServiceUnavailableError);
}

async function recovers(kv: KvStore) {
  const deadline = performance.now() + 5_000;
  for (;;) {
    try {
      await kv.ping();
      break;
    } catch (error) {
      assert.ok(error instanceof ServiceUnavailableError, String(error));
      if (performance.now() > deadline) assert.fail('the store did not recover within 5 s');
      await sleep(50);
    }
  }
  await kv.set('after', 'ok');
  assert.equal(await kv.get('after'), 'ok');
}

function guard<T>(operation: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} neither settled nor failed within 2 s`)), 2_000);
  });
  return Promise.race([operation, hang]).finally(() => clearTimeout(timer));
}

async function startServer() {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server exited before it was ready: ${output}`)));
    child.once('error', reject);
  });
}

async function stopServer() {
  const child = server!;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

interface Line {
  level: string;
  obj: object | string;
  msg: string | undefined;
}

function recordingLogger() {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const log: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => log,
  };
  return { log, lines };
}
