import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer((req, res, body) => {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('content-type', 'application/json');
    res.statusMessage = 'Created For Test';
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.end(
      JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }),
    );
  });
});
after(() => server.close());

const allowed = () => policy({ allowHosts: [`127.0.0.1:${server.port}`] });
const json = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body));

test('GET to an allowlisted host returns status, headers, body and final URL', async () => {
  const response = await egressFetch(get(`${server.origin}/path?q=1#frag`), allowed());
  assert.equal(response.status, 200);
  assert.equal(response.statusText, 'Created For Test');
  assert.equal(response.url, `${server.origin}/path?q=1`);
  assert.equal(response.redirected, false);
  assert.deepEqual(
    response.headers.filter(([name]) => name === 'set-cookie'),
    [
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ],
  );
  const echoed = json(response.body);
  assert.equal(echoed.method, 'GET');
  assert.equal(echoed.url, '/path?q=1');
});

test('POST sends a JSON body with its content-type and an exact content-length', async () => {
  const body = new TextEncoder().encode(JSON.stringify({ user: 'ü' }));
  const response = await egressFetch(
    {
      url: `${server.origin}/users`,
      method: 'post',
      headers: [['Content-Type', 'application/json']],
      body,
      redirect: 'follow',
    },
    allowed(),
  );
  const echoed = json(response.body);
  assert.equal(response.status, 201);
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.body, '{"user":"ü"}');
  assert.equal(echoed.headers['content-type'], 'application/json');
  assert.equal(echoed.headers['content-length'], String(body.byteLength));
});

test('request headers reach the server, repeated names included', async () => {
  const response = await egressFetch(
    get(`${server.origin}/`, [
      ['X-Custom', 'one'],
      ['accept', 'application/json'],
      ['x-list', 'a'],
      ['x-list', 'b'],
    ]),
    allowed(),
  );
  const { headers } = json(response.body);
  assert.equal(headers['x-custom'], 'one');
  assert.equal(headers.accept, 'application/json');
  assert.equal(headers['x-list'], 'a, b');
});

test('user-agent defaults to Tessera-Actions, and a tenant-set one is kept', async () => {
  const defaulted = json((await egressFetch(get(`${server.origin}/`), allowed())).body);
  assert.equal(defaulted.headers['user-agent'], 'Tessera-Actions');
  const custom = json(
    (await egressFetch(get(`${server.origin}/`, [['User-Agent', 'mine/1']]), allowed())).body,
  );
  assert.equal(custom.headers['user-agent'], 'mine/1');
});

test('a tenant cannot override host, content-length or transfer-encoding (no virtual-host or framing tricks)', async () => {
  const response = await egressFetch(
    {
      url: `${server.origin}/`,
      method: 'POST',
      headers: [
        ['host', 'internal.example'],
        ['content-length', '999'],
        ['transfer-encoding', 'chunked'],
      ],
      body: new TextEncoder().encode('abc'),
      redirect: 'follow',
    },
    allowed(),
  );
  const { headers, body } = json(response.body);
  assert.equal(headers.host, `127.0.0.1:${server.port}`);
  assert.equal(headers['content-length'], '3');
  assert.equal(headers['transfer-encoding'], undefined);
  assert.equal(body, 'abc');
});

test('each fetch uses its own connection (no keep-alive socket shared between tenants)', async () => {
  const connections = server.connections;
  await egressFetch(get(`${server.origin}/`), allowed());
  await egressFetch(get(`${server.origin}/`), allowed());
  assert.equal(server.connections - connections, 2);
});

test('the response body is an exact-size Uint8Array not backed by a shared buffer pool', async () => {
  const response = await egressFetch(get(`${server.origin}/`), allowed());
  assert.equal(response.body.byteOffset, 0);
  assert.equal(response.body.buffer.byteLength, response.body.byteLength);
});

test('a refused connection fails with code network, naming the host and the socket error', async () => {
  const closed = await startServer(() => {});
  const { port } = closed;
  await closed.close();
  await assert.rejects(
    egressFetch(get(`http://127.0.0.1:${port}/`), policy({ allowHosts: [`127.0.0.1:${port}`] })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'network' &&
      error.message === `fetch to 127.0.0.1:${port} failed: connect ECONNREFUSED 127.0.0.1:${port}`,
  );
});
