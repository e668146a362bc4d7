import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox, random } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

test('querystring.stringify encodes values like Node', () => {
  sandbox.same(`[
    querystring.stringify({ a: [1, 2], b: 'x y', c: true, d: null, e: undefined, f: {}, g: 1e21, h: -0, i: NaN, j: 10n, k: [], 'k y': 'é€😀' }),
    querystring.stringify({ a: '1', b: '2' }, ';', ':'),
    querystring.stringify({ a: 'é' }, null, null, { encodeURIComponent: (s) => s.toUpperCase() }),
    querystring.stringify({ a: [1, null, 'x'] }, '&', '=', { encodeURIComponent: encodeURIComponent }),
    querystring.stringify('not an object'),
    querystring.stringify(null),
    querystring.encode({ same: 'function' }),
    querystring.stringify({ [Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('')]: "!'()*~-._" }),
  ]`);
  sandbox.same(`caught(() => querystring.stringify({ a: '\\ud800' }))`);
});

test('querystring.parse splits and decodes like Node, including its quirks', () => {
  const inputs = [
    'a=1&a=2&b=%20x+y',
    'a&b=&=c&&d=1=2',
    'bad=%zz%&ok=%41%42&mixed=%E2%82%AC%E2',
    'a+b=c+d',
    '%2B=%2b&plus=+',
    '',
    '&&&',
    '__proto__=x&constructor=y&hasOwnProperty=z',
    'é=ü&%C3%A9=%C3%BC',
    'a=1&b=2&c=3',
  ];
  sandbox.same(`${JSON.stringify(inputs)}.map((s) => JSON.stringify(querystring.parse(s)))`);
  sandbox.same(`[
    JSON.stringify(querystring.parse('a:1;b:2;;c', ';', ':')),
    JSON.stringify(querystring.parse('a==1&&b==2', '&&', '==')),
    JSON.stringify(querystring.parse('a=1&b=2&c=3', null, null, { maxKeys: 2 })),
    JSON.stringify(querystring.parse('a=1&b=2&c=3', null, null, { maxKeys: 0 })),
    JSON.stringify(querystring.parse('a=%41&b=B+C', null, null, { decodeURIComponent: (s) => '<' + s + '>' })),
    JSON.stringify(querystring.decode('x=1')),
    Object.getPrototypeOf(querystring.parse('a=1')) === null,
    JSON.stringify(querystring.parse(42)),
  ]`);
  const next = random(6);
  const alphabet = 'ab=&+%2Ef é;';
  const fuzz = Array.from({ length: 300 }, (_, i) =>
    Array.from({ length: i % 14 }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
  sandbox.same(`${JSON.stringify(fuzz)}.map((s) => JSON.stringify(querystring.parse(s)))`);
});

test('querystring.escape and unescape match Node', () => {
  sandbox.same(
    `[querystring.escape('a b&c=d/é€😀~!*'), querystring.escape(12), querystring.escape({ toString: () => 'obj' }), querystring.unescape('a%20b+c%zz%E2%82%AC'), querystring.unescape('%E2%82', true), querystring.unescape('a+b', true), [...querystring.unescapeBuffer('%41%zz+')], [...querystring.unescapeBuffer('%41+', true)]]`,
  );
});

test('url.parse gives the legacy shape for absolute URLs, as Node does', () => {
  const inputs = [
    'https://user:pw@Example.com:8080/p/a/t/h?query=string#hash',
    'http://example.com',
    'http://example.com/path?x=1&y=2',
    'https://example.com/?',
    'http://[::1]:3000/x',
    'ftp://files.example.com/pub/file.txt',
    'file:///etc/hosts',
    'https://example.com/a%20b?c=%20#d%20e',
    '  https://trim.me/  ',
  ];
  sandbox.same(`${JSON.stringify(inputs)}.map((s) => JSON.stringify(url.parse(s)))`);
  sandbox.same(`${JSON.stringify(inputs)}.map((s) => JSON.stringify(url.parse(s, true)))`);
});

test('url.parse splits relative references without a host, as Node does', () => {
  const inputs = ['/a/b?c=d#e', 'a/b', '?x=1', '#only', '//host.example/path', '/p a t h?q "x"#f<>', ''];
  sandbox.same(`${JSON.stringify(inputs)}.map((s) => JSON.stringify(url.parse(s)))`);
  sandbox.same(`JSON.stringify(url.parse('/p?a=1&a=2', true))`);
  sandbox.same(`caught(() => url.parse(42))`);
});

test('url.parse differs from Node where the WHATWG parser normalises (documented)', () => {
  // Node's legacy parser keeps the default port and the dot segments: 'http://example.com:80/a/../b'.
  assert.equal(sandbox.run<string>(`url.parse('http://EXAMPLE.com:80/a/../b').href`), 'http://example.com/b');
  assert.equal(sandbox.run<string>(`url.format('https://example.com:443/a')`), 'https://example.com/a');
  assert.equal(
    sandbox.run<string>(`caught(() => url.parse('http://exa mple.com/')).code`),
    'ERR_INVALID_URL',
  );
});

test('url.format serialises legacy objects, strings and WHATWG URLs like Node', () => {
  const objects = [
    "{ protocol: 'https', hostname: 'example.com', pathname: '/a b', query: { q: 'x y', n: [1, 2] } }",
    "{ protocol: 'http:', host: 'example.com:8080', pathname: 'no-slash', search: 'a=1', hash: 'frag' }",
    "{ protocol: 'mailto', pathname: 'x@y.z' }",
    "{ protocol: 'file', pathname: '/etc/hosts' }",
    "{ protocol: 'foo', slashes: true, hostname: 'h', port: 81, pathname: '/p?#' }",
    "{ hostname: '::1', port: '80', pathname: '/' }",
    "{ auth: 'us er:p@ss', hostname: 'h.example', protocol: 'https:' }",
    "{ pathname: '/p', search: '?s#x', query: { ignored: 1 } }",
    '{}',
  ];
  sandbox.same(`[${objects.join(',')}].map((o) => url.format(o))`);
  sandbox.same(`[url.format('https://example.com/a?b#c'), url.format(url.parse('/x?y=1#z'))]`);
  sandbox.same(
    `[url.format(new URL('https://u:p@example.com/a?b=1#c')), url.format(new URL('https://u:p@example.com/a?b=1#c'), { auth: false, search: false, fragment: false })]`,
  );
  sandbox.same(`caught(() => url.format(42))`);
});
