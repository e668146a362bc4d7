import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

const FIELDS = `(u) => [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, String(u), u.toJSON()]`;

const URLS: Array<[string, string?]> = [
  ['HTTP://Ex.com:80/a/../b?x=1#h'],
  ['https://user:pa ss@EXAMPLE.com:8443/p/a/t/h?query=string&a=b#hash'],
  ['https://例え.テスト/パス?q=値#フラグ'],
  ['http://[::1]:8080/'],
  ['http://192.168.0.1.:80/x'],
  ['http://0x7f.1/'],
  ['file:///C:/dir/../file.txt'],
  ['file://localhost/etc/passwd'],
  ['mailto:someone@example.com?subject=hi'],
  ['data:text/plain,hello world'],
  ['javascript:alert(1)'],
  ['blob:https://example.com/uuid'],
  ['foo://host/path?q#f'],
  ['foo:/.//not-a-host'],
  ['ws://example.com:80/chat'],
  ['https://example.com/?'],
  ['https://example.com/#'],
  ['  https://example.com/\ttab\n  '],
  ['../up/here?x#y', 'https://example.com/a/b/c'],
  ['//other.org/p', 'https://example.com/'],
  ['?only=query', 'https://example.com/path'],
  ['#frag', 'https://example.com/path?x'],
  ['', 'https://example.com/path?x#y'],
  ['https://example.com/%7Efoo/%41%zz?%gg'],
];

test('URL parses every kind of input exactly as Node does', () => {
  sandbox.same(`${JSON.stringify(URLS)}.map(([input, base]) => (${FIELDS})(new URL(input, base)))`);
});

test('invalid input throws TypeError "Invalid URL" with ERR_INVALID_URL, and canParse/parse agree', () => {
  const invalid: Array<[string, string?]> = [
    ['x'],
    ['http://exa mple.com'],
    ['https://ex:99999'],
    ['http://[::1'],
    ['x', 'y'],
    ['https://a b/'],
  ];
  sandbox.same(`${JSON.stringify(invalid)}.map(([input, base]) => caught(() => new URL(input, base)))`);
  sandbox.same(
    `${JSON.stringify([...invalid, ...URLS])}.map(([input, base]) => [URL.canParse(input, base), URL.parse(input, base)?.href ?? null])`,
  );
  sandbox.same(`[caught(() => new URL()), caught(() => URL.canParse())]`);
  sandbox.same(
    `(() => { try { new URL('nope', 'base?'); } catch (e) { return [e.input, e.base, e.code]; } })()`,
  );
  sandbox.same(`new URL('a', new URL('https://example.com/dir/')).href`);
});

// [starting URL, property, value]: each setter follows the URL standard's state-override rules.
const SETTERS: Array<[string, string, string]> = [
  ['https://example.com/p?q#h', 'href', 'http://other.org/x'],
  ['https://example.com/p', 'protocol', 'http'],
  ['https://example.com/p', 'protocol', 'HTTP:extra'],
  ['https://example.com:80/p', 'protocol', 'http'],
  ['https://example.com/p', 'protocol', 'foo'],
  ['foo://example.com/p', 'protocol', 'bar'],
  ['foo://example.com/p', 'protocol', 'https'],
  ['https://example.com:8080/p', 'protocol', 'file'],
  ['https://u@example.com/p', 'protocol', 'file'],
  ['file:///p', 'protocol', 'https'],
  ['https://example.com/p', 'protocol', 'ht tp'],
  ['https://example.com/p', 'protocol', ''],
  ['https://example.com/p', 'username', 'us er@:/%41'],
  ['https://example.com/p', 'password', 'pä:ss'],
  ['https://u:p@example.com/p', 'username', ''],
  ['https://u:p@example.com/p', 'password', ''],
  ['file:///p', 'username', 'x'],
  ['mailto:a@b', 'username', 'x'],
  ['https://example.com/p', 'host', 'other.org:8080'],
  ['https://example.com:8080/p', 'host', 'other.org'],
  ['https://example.com/p', 'host', 'other.org:443'],
  ['https://example.com/p', 'host', '[::1]:81'],
  ['https://example.com/p', 'host', 'a.org/path?q'],
  ['https://example.com/p', 'host', 'a.org\\path'],
  ['https://example.com/p', 'host', ''],
  ['https://example.com/p', 'host', 'exa mple'],
  ['https://example.com/p', 'host', 'a.org:99999'],
  ['https://example.com/p', 'host', 'a.org:12ab'],
  ['https://example.com/p', 'host', ':80'],
  ['foo://example.com/p', 'host', ''],
  ['foo:/p', 'host', 'h'],
  ['mailto:a@b', 'host', 'h'],
  ['file:///p', 'host', 'server'],
  ['file://server/p', 'host', 'localhost'],
  ['https://example.com/p', 'hostname', 'Other.ORG'],
  ['https://example.com/p', 'hostname', 'a.org:81'],
  ['https://example.com/p', 'hostname', '[::1]'],
  ['https://example.com/p', 'port', '8080'],
  ['https://example.com:8080/p', 'port', ''],
  ['https://example.com/p', 'port', '443'],
  ['https://example.com/p', 'port', '12ab'],
  ['https://example.com/p', 'port', 'ab'],
  ['https://example.com/p', 'port', '99999'],
  ['https://example.com/p', 'port', '0080'],
  ['file:///p', 'port', '80'],
  ['https://example.com/p?q#h', 'pathname', 'a b/../c/%41'],
  ['https://example.com/p', 'pathname', 'x?y#z'],
  ['https://example.com/p', 'pathname', ''],
  ['https://example.com/p', 'pathname', '\\back\\slash'],
  ['foo://h/p', 'pathname', ''],
  ['foo://h/p', 'pathname', 'rel'],
  ['foo:/p', 'pathname', '//double'],
  ['mailto:a@b', 'pathname', 'x'],
  ['https://example.com/p?old#h', 'search', 'a=1 2&b=€'],
  ['https://example.com/p?old#h', 'search', '?x=#y'],
  ['https://example.com/p?old#h', 'search', ''],
  ['https://example.com/p?old#h', 'search', '?'],
  ['foo://h/p', 'search', "it's"],
  ['https://example.com/p?q#old', 'hash', 'new frag'],
  ['https://example.com/p?q#old', 'hash', '#'],
  ['https://example.com/p?q#old', 'hash', ''],
  ['https://example.com/p?q#old', 'hash', '#a#b'],
  ['data:space    #h', 'hash', ''],
];

test('setters change URLs exactly as Node does, including the ignored cases', () => {
  sandbox.same(
    `${JSON.stringify(SETTERS)}.map(([start, key, value]) => { const u = new URL(start); u[key] = value; return (${FIELDS})(u); })`,
  );
  sandbox.same(`caught(() => { new URL('https://example.com').href = 'not a url'; })`);
});

test('searchParams is live in both directions and is always the same object', () => {
  sandbox.same(`(() => {
    const u = new URL('https://example.com/p?a=1&b=2#h');
    const params = u.searchParams;
    const steps = [params.get('a')];
    params.append('c', 'x y');
    steps.push(u.href);
    u.search = '?z=9';
    steps.push(params.get('z'), params.get('a'), params.size, u.searchParams === params);
    params.delete('z');
    steps.push(u.href, u.search);
    u.href = 'https://example.com/?q=1';
    steps.push(params.get('q'));
    params.sort();
    steps.push(u.href);
    return steps;
  })()`);
});

test('URLSearchParams accepts strings, records, pairs and iterables like Node', () => {
  sandbox.same(`[
    new URLSearchParams('?a=1&b=2&a=3').toString(),
    new URLSearchParams('a=%20b+c&&=&d&%zz=%e2%82%ac&x=%E2%82').toString(),
    [...new URLSearchParams('a=%20b+c&&=&d&%zz=%e2%82%ac&x=%E2%82')],
    new URLSearchParams({ a: '1', b: ['x', 'y'], c: null }).toString(),
    new URLSearchParams([['a', '1'], ['b', 'two words']]).toString(),
    new URLSearchParams(new Map([['m', 'v']])).toString(),
    new URLSearchParams(new URLSearchParams('copy=1')).toString(),
    new URLSearchParams([new Set(['s', 't'])]).toString(),
    new URLSearchParams(undefined).toString(),
    new URLSearchParams(null).toString(),
  ]`);
  sandbox.same(
    `[caught(() => new URLSearchParams([['a']])), caught(() => new URLSearchParams([1])), caught(() => new URLSearchParams({ [Symbol.iterator]: 1 }))]`,
  );
});

test('URLSearchParams serialises as application/x-www-form-urlencoded, byte for byte like Node', () => {
  const everything = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('') + 'é€😀\ud800';
  sandbox.same(
    `new URLSearchParams({ [${JSON.stringify(everything)}]: ${JSON.stringify(everything)} }).toString()`,
  );
  sandbox.same(
    `[...new URLSearchParams(new URLSearchParams({ k: ${JSON.stringify(everything)} }).toString())]`,
  );
});

test('URLSearchParams methods behave like Node', () => {
  sandbox.same(`(() => {
    const p = new URLSearchParams('a=1&b=2&a=3&c=4');
    const out = [p.get('a'), p.get('zz'), p.getAll('a'), p.has('b'), p.has('a', '3'), p.has('a', '9'), p.size];
    p.set('a', 'only');
    out.push(p.toString());
    p.delete('c', 'nope');
    out.push(p.toString());
    p.delete('c', '4');
    p.append('b', '0');
    p.delete('zz');
    out.push(p.toString());
    p.sort();
    out.push(p.toString(), [...p.keys()], [...p.values()], [...p.entries()]);
    const seen = [];
    p.forEach(function (value, name, params) { seen.push([value, name, params === p, this]); }, 'ctx');
    out.push(seen);
    const it = p[Symbol.iterator]();
    p.append('late', '1');
    out.push([...it].length, Object.prototype.toString.call(it), Object.prototype.toString.call(p), typeof it[Symbol.iterator]);
    return out;
  })()`);
  sandbox.same(
    `(() => { const p = new URLSearchParams('z=1&a=2&ä=3&A=4&z=0'); p.sort(); return p.toString(); })()`,
  );
  sandbox.same(
    `[caught(() => new URLSearchParams().append('a')), caught(() => new URLSearchParams().get()), caught(() => new URLSearchParams().set('a')), caught(() => new URLSearchParams().forEach(1))]`,
  );
});

test('URL and URLSearchParams print and stringify like Node', () => {
  sandbox.same(
    `[inspect(new URL('https://u:p@example.com:81/p?a=1&b=2#h')), inspect(new URLSearchParams('a=1&b=2')), inspect(new URLSearchParams()), inspect({ nested: new URL('http://x/') })]`,
  );
  sandbox.same(
    `[JSON.stringify({ u: new URL('http://x/a b') }), String(new URL('http://x')), Object.prototype.toString.call(new URL('http://x')), \`\${new URL('http://y')}\`]`,
  );
  sandbox.same(`[Object.keys(URL.prototype).sort(), Object.keys(URLSearchParams.prototype).sort()]`);
  assert.equal(sandbox.run(`new URL('http://x') instanceof URL && url.URL === URL`), true);
});
