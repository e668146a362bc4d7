import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer((_req, res) => res.end('ok'));
});
after(() => server.close());

async function status(url: string, allowHosts: string[]) {
  return (await egressFetch(get(url), policy({ allowHosts }))).status;
}

function isCode(code: EgressError['code']) {
  return (error: unknown) => error instanceof EgressError && error.code === code;
}

test('an allowlisted IP with its port may be fetched although it is loopback', async () => {
  assert.equal(await status(`${server.origin}/`, [`127.0.0.1:${server.port}`]), 200);
});

test('an allowlist entry without a port allows every port of that host', async () => {
  assert.equal(await status(`${server.origin}/`, ['127.0.0.1']), 200);
});

test('an allowlisted hostname is matched case-insensitively and reaches its loopback address', async () => {
  assert.equal(await status(`http://localhost:${server.port}/`, [`LocalHost:${server.port}`]), 200);
});

test('an allowlist entry in another spelling of the same IP matches (0x7f000001 is 127.0.0.1)', async () => {
  assert.equal(await status(`${server.origin}/`, [`0x7f000001:${server.port}`]), 200);
});

test('an allowlist entry for another port does not allow this one', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/`), policy({ allowHosts: [`127.0.0.1:${server.port + 1}`] })),
    isCode('blocked'),
  );
});

test('allowing a hostname does not allow the IP it resolves to', async () => {
  await assert.rejects(
    egressFetch(get(`${server.origin}/`), policy({ allowHosts: [`localhost:${server.port}`] })),
    isCode('blocked'),
  );
});

test("an entry with port 443 does not allow the same host on http's default port 80", async () => {
  await assert.rejects(
    egressFetch(get('http://10.0.0.1/'), policy({ allowHosts: ['10.0.0.1:443'], timeoutMs: 200 })),
    isCode('blocked'),
  );
});

test('a malformed allowlist entry is rejected with a message naming it, before connecting', async () => {
  const connections = server.connections;
  await assert.rejects(
    egressFetch(get(`${server.origin}/`), policy({ allowHosts: ['http://127.0.0.1/'] })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'invalid' &&
      error.message === 'egress allowlist entry "http://127.0.0.1/" is not a host or host:port',
  );
  assert.equal(server.connections, connections);
});
