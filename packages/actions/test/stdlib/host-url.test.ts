import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_URL_INPUT_LENGTH, parseUrlForSandbox } from '../../src/sandbox/host-url.ts';

const INVALID = { ok: false, message: 'Invalid URL' };

test('answers with every component of Node’s WHATWG parse, as JSON', () => {
  const url = new URL('../x?q=1#h', 'https://user:pw@example.com:8443/a/b');
  assert.deepEqual(JSON.parse(parseUrlForSandbox('../x?q=1#h', 'https://user:pw@example.com:8443/a/b')), {
    ok: true,
    href: url.href,
    origin: url.origin,
    protocol: url.protocol,
    username: url.username,
    password: url.password,
    host: url.host,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
    search: url.search,
    hash: url.hash,
  });
});

test('answers ok:false, without throwing, for input Node rejects', () => {
  for (const [input, base] of [
    ['not a url', undefined],
    ['x', 'also not'],
    ['http://exa mple.com', undefined],
  ] as const) {
    assert.deepEqual(JSON.parse(parseUrlForSandbox(input, base)), INVALID);
  }
});

test('refuses input and bases longer than the limit', () => {
  const long = `https://example.com/${'a'.repeat(MAX_URL_INPUT_LENGTH)}`;
  assert.deepEqual(JSON.parse(parseUrlForSandbox(long, undefined)), INVALID);
  assert.deepEqual(JSON.parse(parseUrlForSandbox('x', long)), INVALID);
  assert.equal(JSON.parse(parseUrlForSandbox(long.slice(0, MAX_URL_INPUT_LENGTH), undefined)).ok, true);
});

test('never throws, whatever crosses the boundary', () => {
  const odd: unknown[] = [undefined, null, 42, {}, Symbol('s'), { toString: () => 'https://trap.example' }];
  for (const value of odd) {
    assert.deepEqual(JSON.parse(parseUrlForSandbox(value as string, undefined)), INVALID);
    assert.deepEqual(
      JSON.parse(parseUrlForSandbox('/p', value as string)),
      value == null ? INVALID : INVALID,
    );
  }
  assert.equal(JSON.parse(parseUrlForSandbox('https://example.com/', null as unknown as undefined)).ok, true);
});
