import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { messages, runBody } from '../api/support.ts';
import { startServer, type TestServer } from '../egress/helpers.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

let server: TestServer;
before(async () => {
  server = await startServer((req, res, body) => {
    if (req.url === '/slow') {
      setTimeout(() => res.end('too late'), 3000).unref();
      return;
    }
    if (req.url === '/missing') {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain');
      res.end('not here');
      return;
    }
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-request-id', 'req_42');
    res.end(JSON.stringify({ method: req.method, url: req.url, body: body.toString() }));
  });
});
after(() => server.close());

/** Runs `body` with the local test server allowlisted (it is on 127.0.0.1, which is refused by default). */
const allowed = (body: string) =>
  runBody(fixture, `const origin = '${server.origin}';\n${body}`, { egressAllowHosts: ['127.0.0.1'] });

describe('fetch to an allowlisted host', () => {
  test('GET: status, ok, headers.get, json()', async () => {
    const result = await allowed(
      `const response = await fetch(origin + '/users/1?expand=roles');
       console.log(response.ok, response.status, response.headers.get('Content-Type'), response.headers.get('x-request-id'));
       console.log(JSON.stringify(await response.json()));`,
    );
    assert.deepEqual(messages(result), [
      'true 200 application/json; charset=utf-8 req_42',
      '{"method":"GET","url":"/users/1?expand=roles","body":""}',
    ]);
    assert.equal(server.requests.at(-1)?.headers['user-agent'], 'Tessera-Actions');
  });

  test('POST with a JSON body and headers reaches the server as sent', async () => {
    const result = await allowed(
      `const response = await fetch(origin + '/events', {
         method: 'POST',
         headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok_123', 'X-Tenant': 'acme' },
         body: JSON.stringify({ user: event.user.email, n: 1 }),
       });
       console.log(response.status, response.ok, (await response.json()).method);`,
    );
    assert.deepEqual(messages(result), ['201 true POST']);
    const request = server.requests.at(-1);
    assert.equal(request?.method, 'POST');
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.equal(request?.headers.authorization, 'Bearer tok_123');
    assert.equal(request?.headers['x-tenant'], 'acme');
    assert.deepEqual(JSON.parse(request?.body.toString() ?? ''), { user: 'jane.doe@example.com', n: 1 });
  });

  test('a 404 resolves with ok false; text() reads the body once', async () => {
    const result = await allowed(
      `const response = await fetch(origin + '/missing');
       console.log(response.ok, response.status, await response.text(), response.bodyUsed);
       try { await response.text(); } catch (error) { console.log(error.name, error.message); }`,
    );
    assert.deepEqual(messages(result), [
      'false 404 not here true',
      'TypeError Body is unusable: Body has already been read',
    ]);
  });

  test('AbortController.abort() rejects the fetch with an AbortError', async () => {
    const started = Date.now();
    const result = await allowed(
      `const controller = new AbortController();
       setTimeout(() => controller.abort(), 50);
       try { await fetch(origin + '/slow', { signal: controller.signal }); }
       catch (error) { console.log(error.name, error.message); }`,
    );
    assert.deepEqual(messages(result), ['AbortError This operation was aborted']);
    assert.ok(Date.now() - started < 2000);
  });

  test('AbortSignal.timeout(ms) rejects the fetch with a TimeoutError, as in Node', async () => {
    const started = Date.now();
    const result = await allowed(
      `try { await fetch(origin + '/slow', { signal: AbortSignal.timeout(100) }); }
       catch (error) { console.log(error.name, error.message); }`,
    );
    assert.deepEqual(messages(result), ['TimeoutError The operation was aborted due to timeout']);
    assert.ok(Date.now() - started < 2000);
  });

  test('abort(reason) rejects the fetch with that reason', async () => {
    const result = await allowed(
      `const controller = new AbortController();
       setTimeout(() => controller.abort(new Error('user went away')), 20);
       try { await fetch(origin + '/slow', { signal: controller.signal }); }
       catch (error) { console.log(error.name, error.message); }`,
    );
    assert.deepEqual(messages(result), ['Error user went away']);
  });

  test('an already aborted signal rejects before any request is sent', async () => {
    const before = server.requests.length;
    const result = await allowed(
      `const controller = new AbortController();
       controller.abort();
       try { await fetch(origin + '/json', { signal: controller.signal }); }
       catch (error) { console.log(error.name); }`,
    );
    assert.deepEqual(messages(result), ['AbortError']);
    assert.equal(server.requests.length, before);
  });
});

test('without the allowlist, fetch to 127.0.0.1 is refused and nothing reaches the server', async () => {
  const connections = server.connections;
  const result = await runBody(fixture, `await fetch('${server.origin}/json');`);
  assert.equal(result.outcome, 'failed');
  assert.match(result.outcome === 'failed' ? result.message : '', /^TypeError: fetch failed: /);
  assert.equal(server.connections, connections);
});
