import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

let origin: TestServer; // redirects according to the path
let other: TestServer; // another origin that echoes what it received
before(async () => {
  other = await startServer((req, res, body) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString() }),
    );
  });
  origin = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to');
    const status = Number(url.searchParams.get('status') ?? 302);
    if (url.pathname === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (to) res.writeHead(status, { location: to }).end('redirect body');
    else res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString() }));
  });
});
after(async () => {
  await origin.close();
  await other.close();
});

const both = () => [`127.0.0.1:${origin.port}`, `127.0.0.1:${other.port}`];
const to = (target: string, status = 302) =>
  `${origin.origin}/start?status=${status}&to=${encodeURIComponent(target)}`;

test('a redirect from an allowlisted host to a non-allowlisted loopback URL is refused before connecting', async () => {
  const start = `http://localhost:${origin.port}/start?to=${encodeURIComponent(`${other.origin}/secret`)}`;
  await assert.rejects(
    egressFetch(get(start), policy({ allowHosts: [`localhost:${origin.port}`] })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'blocked' &&
      error.message ===
        `fetch to 127.0.0.1:${other.port} refused: loopback address (allow it with the tenant's egress allowlist)`,
  );
  assert.equal(other.connections, 0);
});

test('a redirect to the cloud metadata address is refused', async () => {
  await assert.rejects(
    egressFetch(
      get(to('http://169.254.169.254/latest/meta-data/')),
      policy({ allowHosts: both(), timeoutMs: 300 }),
    ),
    (error: unknown) => error instanceof EgressError && error.code === 'blocked',
  );
});

test('a redirect to a non-http scheme is refused', async () => {
  await assert.rejects(
    egressFetch(get(to('file:///etc/passwd')), policy({ allowHosts: both() })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'invalid' &&
      error.message === 'fetch to file: refused: only http: and https: URLs are allowed, not file:',
  );
});

test('a redirect loop stops after maxRedirects follows', async () => {
  const before = origin.requests.length;
  await assert.rejects(
    egressFetch(get(`${origin.origin}/loop`), policy({ allowHosts: both(), maxRedirects: 3 })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'network' &&
      error.message === `fetch to 127.0.0.1:${origin.port} failed: more than 3 redirects`,
  );
  assert.equal(origin.requests.length - before, 4);
});

test('a followed cross-origin redirect drops authorization, cookie and proxy-authorization but keeps other headers', async () => {
  const headers: Array<[string, string]> = [
    ['Authorization', 'Bearer abc'],
    ['cookie', 'sid=1'],
    ['proxy-authorization', 'Basic x'],
    ['x-trace', 't1'],
  ];
  const response = await egressFetch(
    get(to(`${other.origin}/landing#frag`), headers),
    policy({ allowHosts: both() }),
  );
  const echoed = JSON.parse(new TextDecoder().decode(response.body));
  assert.equal(response.status, 200);
  assert.equal(response.redirected, true);
  assert.equal(response.url, `${other.origin}/landing`);
  assert.equal(echoed.headers.authorization, undefined);
  assert.equal(echoed.headers.cookie, undefined);
  assert.equal(echoed.headers['proxy-authorization'], undefined);
  assert.equal(echoed.headers['x-trace'], 't1');
});

test('a same-origin redirect keeps the authorization header', async () => {
  const response = await egressFetch(
    get(to('/final'), [['authorization', 'Bearer abc']]),
    policy({ allowHosts: both() }),
  );
  const echoed = JSON.parse(new TextDecoder().decode(response.body));
  assert.equal(response.url, `${origin.origin}/final`);
  assert.equal(echoed.headers.authorization, 'Bearer abc');
});

function post(url: string) {
  return {
    url,
    method: 'POST',
    headers: [['content-type', 'application/json']] as Array<[string, string]>,
    body: new TextEncoder().encode('{"a":1}'),
    redirect: 'follow' as const,
  };
}

for (const status of [301, 302, 303]) {
  test(`a ${status} redirect turns POST into GET without body or content-type`, async () => {
    const response = await egressFetch(
      post(to(`${other.origin}/after`, status)),
      policy({ allowHosts: both() }),
    );
    const echoed = JSON.parse(new TextDecoder().decode(response.body));
    assert.equal(echoed.method, 'GET');
    assert.equal(echoed.body, '');
    assert.equal(echoed.headers['content-type'], undefined);
    assert.equal(echoed.headers['content-length'], undefined);
  });
}

for (const status of [307, 308]) {
  test(`a ${status} redirect repeats the POST with its body`, async () => {
    const response = await egressFetch(
      post(to(`${other.origin}/after`, status)),
      policy({ allowHosts: both() }),
    );
    const echoed = JSON.parse(new TextDecoder().decode(response.body));
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.body, '{"a":1}');
    assert.equal(echoed.headers['content-type'], 'application/json');
  });
}

test("redirect: 'manual' returns the 3xx response as is", async () => {
  const followed = other.requests.length;
  const request = { ...get(to(`${other.origin}/x`, 307)), redirect: 'manual' as const };
  const response = await egressFetch(request, policy({ allowHosts: both() }));
  assert.equal(response.status, 307);
  assert.equal(response.redirected, false);
  assert.deepEqual(
    response.headers.find(([name]) => name === 'location'),
    ['location', `${other.origin}/x`],
  );
  assert.equal(new TextDecoder().decode(response.body), 'redirect body');
  assert.equal(other.requests.length, followed);
});

test("redirect: 'error' fails with code network on a redirect", async () => {
  const request = { ...get(to(`${other.origin}/x`)), redirect: 'error' as const };
  await assert.rejects(
    egressFetch(request, policy({ allowHosts: both() })),
    (error: unknown) =>
      error instanceof EgressError &&
      error.code === 'network' &&
      error.message ===
        `fetch to 127.0.0.1:${origin.port} failed: redirected to 127.0.0.1:${other.port} (redirect: 'error')`,
  );
});
