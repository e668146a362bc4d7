import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startServer, type TestServer } from '../egress/helpers.ts';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { HOSTILE_BUDGETS, lastJson } from './helpers.ts';

// docs/security.md#9: a tenant's fetch reaches no loopback, private, link-local or metadata address,
// however it is spelled and even through a redirect, unless that host is allowlisted (per tenant, or for
// every tenant by the operator). A refusal is a TypeError inside the action, which may catch it.
// Started at load time: the operator fixture's allowlist needs the port (root `before` hooks run concurrently).
const server: TestServer = await startServer((req, res, body) => {
  if (req.url?.startsWith('/redirect')) {
    const to = new URL(req.url, 'http://x').searchParams.get('to') ?? '/';
    res.writeHead(302, { location: to });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'tessera-test' });
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      auth: req.headers.authorization,
      body: body.toString(),
    }),
  );
});
after(() => server.close());
const fixture = useRuntime(HOSTILE_BUDGETS);
const operator = useRuntime({ ...HOSTILE_BUDGETS, workers: 1, fetchAllowlist: [`127.0.0.1:${server.port}`] });

const refused = (host: string, what: string) =>
  `TypeError: fetch failed: fetch to ${host} refused: ${what} (allow it with the tenant's egress allowlist)`;

/** Tenant code that fetches each URL and prints what happened to it. */
const fetchEach = (urls: string[]) =>
  handler(`
    const seen = {};
    for (const url of ${JSON.stringify(urls)}) {
      try {
        const response = await fetch(url);
        seen[url] = 'reached: ' + response.status + ' ' + (await response.text());
      } catch (error) {
        seen[url] = error.name + ': ' + error.message;
      }
    }
    console.log(JSON.stringify(seen));`);

describe('fetch egress from an action', () => {
  test('loopback, private, link-local and metadata addresses are refused, however they are written', async () => {
    const port = server.port;
    const result = await fixture.run(
      fetchEach([
        `http://127.0.0.1:${port}/`,
        `http://[::1]:${port}/`,
        `http://localhost:${port}/`,
        'http://10.0.0.1/',
        'http://172.16.0.1/',
        'http://192.168.1.1/',
        'http://169.254.169.254/latest/meta-data/',
        `http://0x7f000001:${port}/`,
        `http://2130706433:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        'http://0/',
        'file:///etc/passwd',
      ]),
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      [`http://127.0.0.1:${port}/`]: refused(`127.0.0.1:${port}`, 'loopback address'),
      [`http://[::1]:${port}/`]: refused(`[::1]:${port}`, 'loopback address'),
      [`http://localhost:${port}/`]: refused(`localhost:${port}`, 'it resolves to a loopback address'),
      'http://10.0.0.1/': refused('10.0.0.1', 'private address'),
      'http://172.16.0.1/': refused('172.16.0.1', 'private address'),
      'http://192.168.1.1/': refused('192.168.1.1', 'private address'),
      'http://169.254.169.254/latest/meta-data/': refused('169.254.169.254', 'link-local address'),
      [`http://0x7f000001:${port}/`]: refused(`127.0.0.1:${port}`, 'loopback address'),
      [`http://2130706433:${port}/`]: refused(`127.0.0.1:${port}`, 'loopback address'),
      [`http://[::ffff:127.0.0.1]:${port}/`]: refused(`[::ffff:7f00:1]:${port}`, 'loopback address'),
      'http://0/': refused('0.0.0.0', 'unspecified address'),
      'file:///etc/passwd':
        'TypeError: fetch failed: fetch to file: refused: only http: and https: URLs are allowed, not file:',
    });
    assert.equal(server.connections, 0, 'no connection was even attempted');
  });

  test("with the tenant's allowlist the local server works: JSON round trip, headers, POST body", async () => {
    const result = await fixture.run(
      handler(`
        const response = await fetch('${server.origin}/echo?x=1', {
          method: 'POST',
          headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
          body: JSON.stringify({ hello: 'world' }),
        });
        console.log(JSON.stringify({
          status: response.status,
          servedBy: response.headers.get('x-served-by'),
          json: await response.json(),
        }));`),
      { tenantId: 'tenant-allowed', egressAllowHosts: ['127.0.0.1'] },
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      status: 200,
      servedBy: 'tessera-test',
      json: { method: 'POST', url: '/echo?x=1', auth: 'Bearer t0ken', body: '{"hello":"world"}' },
    });
    const request = server.requests.at(-1);
    assert.equal(request?.headers['content-type'], 'application/json');
  });

  test('a redirect from the allowlisted server to a host that is not allowlisted is refused at that hop', async () => {
    const before = server.requests.length;
    const port = server.port;
    const targets = [
      `http://localhost:${port}/secret`,
      `http://[::1]:${port}/secret`,
      'http://169.254.169.254/',
    ];
    const result = await fixture.run(
      fetchEach(targets.map((to) => `${server.origin}/redirect?to=${encodeURIComponent(to)}`)),
      { egressAllowHosts: ['127.0.0.1'] },
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(Object.values(lastJson<Record<string, string>>(result)), [
      refused(`localhost:${port}`, 'it resolves to a loopback address'),
      refused(`[::1]:${port}`, 'loopback address'),
      refused('169.254.169.254', 'link-local address'),
    ]);
    // The server saw the three redirects and nothing else: no request reached /secret.
    assert.deepEqual(
      server.requests.slice(before).map((r) => r.url.split('?')[0]),
      ['/redirect', '/redirect', '/redirect'],
    );
  });

  test("one tenant's allowlist does not open the server to another tenant", async () => {
    const result = await fixture.run(fetchEach([`${server.origin}/`]), { tenantId: 'tenant-other' });
    assert.deepEqual(lastJson(result), {
      [`${server.origin}/`]: refused(`127.0.0.1:${server.port}`, 'loopback address'),
    });
  });

  test("the operator's fetchAllowlist opens exactly that host and port to every tenant", async () => {
    const result = await operator.run(
      fetchEach([`${server.origin}/operator`, `http://127.0.0.1:${server.port + 1}/`, 'http://10.0.0.1/']),
      { tenantId: 'tenant-any' },
    );
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      [`${server.origin}/operator`]: `reached: 200 {"method":"GET","url":"/operator","body":""}`,
      [`http://127.0.0.1:${server.port + 1}/`]: refused(`127.0.0.1:${server.port + 1}`, 'loopback address'),
      'http://10.0.0.1/': refused('10.0.0.1', 'private address'),
    });
  });
});
