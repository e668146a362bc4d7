import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EgressError, type EgressRequest, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer((_req, res) => res.end('ok'));
});
after(() => server.close());

/** Every case here is refused before any connection, with code invalid. */
async function assertInvalid(request: EgressRequest, message: string) {
  await assert.rejects(
    egressFetch(request, policy({ allowHosts: [`127.0.0.1:${server.port}`] })),
    (error: unknown) => error instanceof EgressError && error.code === 'invalid' && error.message === message,
  );
  assert.equal(server.connections, 0);
}

const CRLF_MESSAGE = (port: number) =>
  `fetch to 127.0.0.1:${port} refused: invalid header name or value (headers cannot contain CR, LF or NUL)`;

test('a header value containing CRLF is refused (header injection)', async () => {
  await assertInvalid(get(`${server.origin}/`, [['x-a', 'v\r\nX-Injected: 1']]), CRLF_MESSAGE(server.port));
});

test('a header value containing a bare LF is refused', async () => {
  await assertInvalid(get(`${server.origin}/`, [['x-a', 'v\nGET / HTTP/1.1']]), CRLF_MESSAGE(server.port));
});

test('a header name containing CRLF is refused', async () => {
  await assertInvalid(get(`${server.origin}/`, [['x-a\r\nx-b', 'v']]), CRLF_MESSAGE(server.port));
});

for (const url of [
  'file:///etc/passwd',
  'ftp://example.com/',
  'gopher://127.0.0.1:6379/_INFO',
  'data:text/plain,hi',
]) {
  const scheme = url.slice(0, url.indexOf(':') + 1);
  test(`a ${scheme} URL is refused: only http: and https: are allowed`, async () => {
    const host = new URL(url).host || scheme;
    await assertInvalid(
      get(url),
      `fetch to ${host} refused: only http: and https: URLs are allowed, not ${scheme}`,
    );
  });
}

test('a URL that does not parse is refused', async () => {
  await assertInvalid(get('http://[::1'), 'fetch refused: the URL is not valid');
});

test('credentials in the URL are refused and not repeated in the message', async () => {
  await assertInvalid(
    get(`http://admin:s3cret@127.0.0.1:${server.port}/`),
    `fetch to 127.0.0.1:${server.port} refused: the URL contains credentials (send an authorization header instead)`,
  );
});

test('the CONNECT method is refused (it would open a tunnel)', async () => {
  await assertInvalid(
    { ...get(`${server.origin}/`), method: 'connect' },
    `fetch to 127.0.0.1:${server.port} refused: method CONNECT is not allowed`,
  );
});

test('a GET request with a body is refused', async () => {
  await assertInvalid(
    { ...get(`${server.origin}/`), body: new Uint8Array(1) },
    `fetch to 127.0.0.1:${server.port} refused: a GET request cannot have a body`,
  );
});
