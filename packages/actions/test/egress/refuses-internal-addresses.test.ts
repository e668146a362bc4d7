import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EgressError, egressFetch } from '../../src/egress/fetch.ts';
import { get, policy, startServer, type TestServer } from './helpers.ts';

const HINT = "(allow it with the tenant's egress allowlist)";
let server: TestServer;
before(async () => {
  server = await startServer((_req, res) => res.end('internal secret'));
});
after(() => server.close());

/** Refused before any connection: the listening server on 127.0.0.1 must never see one. */
async function assertRefused(url: string, message: string) {
  await assert.rejects(egressFetch(get(url), policy({ timeoutMs: 300 })), (error: unknown) => {
    assert.ok(error instanceof EgressError);
    assert.equal(error.code, 'blocked');
    assert.equal(error.message, message);
    return true;
  });
  assert.equal(server.connections, 0);
}

test('refuses 127.0.0.1 before connecting', async () => {
  await assertRefused(
    `http://127.0.0.1:${server.port}/`,
    `fetch to 127.0.0.1:${server.port} refused: loopback address ${HINT}`,
  );
});

test('refuses the hex form http://0x7f000001/ (normalised to 127.0.0.1)', async () => {
  await assertRefused(
    `http://0x7f000001:${server.port}/`,
    `fetch to 127.0.0.1:${server.port} refused: loopback address ${HINT}`,
  );
});

test('refuses the integer form http://2130706433/', async () => {
  await assertRefused(
    `http://2130706433:${server.port}/`,
    `fetch to 127.0.0.1:${server.port} refused: loopback address ${HINT}`,
  );
});

test('refuses the octal form http://0177.0.0.1/', async () => {
  await assertRefused(
    `http://0177.0.0.1:${server.port}/`,
    `fetch to 127.0.0.1:${server.port} refused: loopback address ${HINT}`,
  );
});

test('refuses localhost because it resolves to a loopback address, without naming the address', async () => {
  await assertRefused(
    `http://localhost:${server.port}/`,
    `fetch to localhost:${server.port} refused: it resolves to a loopback address ${HINT}`,
  );
});

test('refuses a hostname written in upper case the same way (URL hosts are case-insensitive)', async () => {
  await assertRefused(
    `http://LOCALHOST:${server.port}/`,
    `fetch to localhost:${server.port} refused: it resolves to a loopback address ${HINT}`,
  );
});

const LITERALS: ReadonlyArray<readonly [url: string, host: string, reason: string]> = [
  ['http://[::1]/', '[::1]', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]', 'loopback'],
  ['http://[::ffff:7f00:1]/', '[::ffff:7f00:1]', 'loopback'],
  ['http://0.0.0.0/', '0.0.0.0', 'unspecified'],
  ['http://[::]/', '[::]', 'unspecified'],
  ['http://10.0.0.1/', '10.0.0.1', 'private'],
  ['http://172.16.0.1/', '172.16.0.1', 'private'],
  ['http://192.168.1.1/', '192.168.1.1', 'private'],
  ['http://100.64.0.1/', '100.64.0.1', 'carrier-grade-nat'],
  ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
  ['http://[fd00:ec2::254]/latest/meta-data/', '[fd00:ec2::254]', 'private'],
  ['http://[fe80::1]/', '[fe80::1]', 'link-local'],
  ['http://[64:ff9b::a9fe:a9fe]/', '[64:ff9b::a9fe:a9fe]', 'link-local'],
  ['https://198.18.0.1/', '198.18.0.1', 'benchmarking'],
  ['http://224.0.0.1/', '224.0.0.1', 'multicast'],
  ['http://255.255.255.255/', '255.255.255.255', 'broadcast'],
  ['http://240.0.0.1/', '240.0.0.1', 'reserved'],
];

for (const [url, host, reason] of LITERALS) {
  test(`refuses ${url} as a ${reason} address, without connecting`, async () => {
    await assertRefused(url, `fetch to ${host} refused: ${reason} address ${HINT}`);
  });
}

test('a refusal message never contains request headers or the body', async () => {
  const request = {
    url: 'http://10.0.0.1/?',
    method: 'POST',
    headers: [['authorization', 'Bearer s3cr3t-token']] as Array<[string, string]>,
    body: new TextEncoder().encode('password=hunter2'),
    redirect: 'follow' as const,
  };
  const error = await egressFetch(request, policy()).catch((caught: unknown) => caught);
  assert.ok(error instanceof EgressError);
  assert.doesNotMatch(`${error.message} ${error.stack}`, /s3cr3t|hunter2/);
});
