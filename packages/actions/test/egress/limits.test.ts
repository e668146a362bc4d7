import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

let server: TestServer;
let streamClosed: Promise<void> = Promise.resolve();
let bomb: Buffer;
before(async () => {
  bomb = await gzip(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 kB
  server = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/hang') return; // never answers
    if (path === '/drip') {
      // Headers at once, then one byte every 50 ms: no socket idle timeout would ever fire.
      res.writeHead(200);
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/endless') {
      streamClosed = new Promise((resolve) => res.on('close', resolve));
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (path.startsWith('/bytes/')) return void res.end(Buffer.alloc(Number(path.slice(7)), 'b'));
    if (path === '/bomb') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
    if (path === '/gzip-json') {
      return void gzip('{"ok":true}').then((body) =>
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(body),
      );
    }
    if (path === '/br-text') {
      return void brotli('brotli ok').then((body) =>
        res.writeHead(200, { 'content-encoding': 'br' }).end(body),
      );
    }
    if (path === '/not-gzip') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end('plain');
    res.end();
  });
});
after(() => server.close());

const allowed = (overrides = {}) => policy({ allowHosts: [`127.0.0.1:${server.port}`], ...overrides });
const isCode = (code: string, message?: string) => (error: unknown) =>
  error instanceof EgressError && error.code === code && (message === undefined || error.message === message);

test('a server that never answers fails with code timeout at timeoutMs', async () => {
  const started = performance.now();
  await assert.rejects(
    egressFetch(get(`${server.origin}/hang`), allowed({ timeoutMs: 200 })),
    isCode('timeout', `fetch to 127.0.0.1:${server.port} timed out after 200 ms`),
  );
  assert.ok(performance.now() - started < 1500);
});

test('the timeout covers the body: a server dripping bytes forever fails with code timeout', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/drip`), allowed({ timeoutMs: 300 })),
    isCode('timeout'),
  );
});

test("aborting the caller's signal stops the fetch", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(
    egressFetch(get(`${server.origin}/hang`), allowed({ timeoutMs: 5000 }), controller.signal),
    isCode('network', `fetch to 127.0.0.1:${server.port} was aborted`),
  );
});

test('a body of exactly maxResponseBytes is returned whole', async () => {
  const response = await egressFetch(get(`${server.origin}/bytes/1000`), allowed({ maxResponseBytes: 1000 }));
  assert.equal(response.body.byteLength, 1000);
});

test('a body one byte over maxResponseBytes fails with code too_large', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/bytes/1001`), allowed({ maxResponseBytes: 1000 })),
    isCode(
      'too_large',
      `fetch to 127.0.0.1:${server.port} failed: response body exceeds the limit of 1000 bytes`,
    ),
  );
});

test('an endless body fails with code too_large and the connection is closed', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/endless`), allowed({ maxResponseBytes: 64 * 1024 })),
    isCode('too_large'),
  );
  await streamClosed; // the server sees the socket go away instead of streaming on
});

test('a gzip bomb is stopped at maxResponseBytes of decoded bytes', async () => {
  const before = process.memoryUsage().rss;
  await assert.rejects(
    egressFetch(get(`${server.origin}/bomb`), allowed({ maxResponseBytes: 1024 * 1024 })),
    isCode('too_large'),
  );
  assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024);
});

test('gzip and brotli bodies are decoded', async () => {
  const json = await egressFetch(get(`${server.origin}/gzip-json`), allowed());
  assert.equal(new TextDecoder().decode(json.body), '{"ok":true}');
  const text = await egressFetch(get(`${server.origin}/br-text`), allowed());
  assert.equal(new TextDecoder().decode(text.body), 'brotli ok');
});

test('a body that is not what its content-encoding says fails with code network', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/not-gzip`), allowed()),
    isCode('network', `fetch to 127.0.0.1:${server.port} failed: the response body could not be decoded`),
  );
});

test('a request body over maxRequestBytes fails with code too_large before connecting', async () => {
  const connections = server.connections;
  const request = { ...get(`${server.origin}/`), method: 'POST', body: new Uint8Array(11) };
  await assert.rejects(
    egressFetch(request, allowed({ maxRequestBytes: 10 })),
    isCode(
      'too_large',
      `fetch to 127.0.0.1:${server.port} refused: request body of 11 bytes exceeds the limit of 10`,
    ),
  );
  assert.equal(server.connections, connections);
});
