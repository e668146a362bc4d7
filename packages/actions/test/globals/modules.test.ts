import assert from 'node:assert/strict';
import querystring from 'node:querystring';
import { describe, test } from 'node:test';
import url from 'node:url';
import { format } from 'node:util';
import { assertThrew, messages, runBody } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

const logged = async (body: string) => messages(await runBody(fixture, body));

describe("require('url')", () => {
  test('parse (with the query parsed) and format work like Node', async () => {
    assert.deepEqual(
      await logged(
        `const url = require('url');
         const p = url.parse('https://a.example.com:8080/p/a?x=1&y=2#f', true);
         console.log(p.hostname, p.port, p.pathname, p.query.y, p.hash);
         console.log(url.format({ protocol: 'https', host: 'b.example', pathname: '/z', query: { q: 'a b' } }));
         console.log(new url.URL('https://x.example').host, typeof url.URLSearchParams);`,
      ),
      [
        // What Node's url.parse gives (not called here: Node prints a deprecation warning for it).
        'a.example.com 8080 /p/a 2 #f',
        url.format({ protocol: 'https', host: 'b.example', pathname: '/z', query: { q: 'a b' } }),
        'x.example function',
      ],
    );
  });

  test('resolve works like Node', async () => {
    assert.deepEqual(
      await logged(`const { resolve } = require('url');
        console.log(resolve('https://e.com/a/b', '../c'));
        console.log(resolve('/one/two/three', 'four'));
        console.log(resolve('http://example.com/one', '/two'));`),
      ['https://e.com/c', '/one/two/four', 'http://example.com/two'],
    );
  });

  test('util.promisify turns an (err, value) callback API into promises', async () => {
    assert.deepEqual(
      await logged(`const { promisify } = require('util');
        const ok = promisify((a, cb) => setTimeout(() => cb(null, a * 2), 1));
        const bad = promisify((cb) => cb(new Error('nope')));
        console.log(await ok(21));
        try { await bad(); } catch (e) { console.log(e.message); }`),
      ['42', 'nope'],
    );
  });
});

describe("require('querystring') and require('util')", () => {
  test('querystring stringify, parse, escape and unescape work like Node', async () => {
    assert.deepEqual(
      await logged(
        `const qs = require('querystring');
         console.log(qs.stringify({ a: [1, 2], b: 'x y', c: 'é' }));
         console.log(JSON.stringify(qs.parse('a=1&a=2&b=x%20y&c')));
         console.log(qs.escape('a b&'), qs.unescape('a%20b'));`,
      ),
      [
        querystring.stringify({ a: [1, 2], b: 'x y', c: 'é' }),
        JSON.stringify(querystring.parse('a=1&a=2&b=x%20y&c')),
        `${querystring.escape('a b&')} a b`,
      ],
    );
  });

  test("util.format is Node's", async () => {
    assert.deepEqual(
      await logged(
        `console.log(require('util').format('%s=%d %j', 'n', 5, { a: [1] }), typeof require('node:util').inspect);`,
      ),
      [`${format('%s=%d %j', 'n', 5, { a: [1] })} function`],
    );
  });
});

describe('modules that do not exist in the sandbox', () => {
  test("require('axios') at run time fails the action with a clear message", async () => {
    assertThrew(
      await runBody(fixture, `const axios = require('axios');`),
      "Cannot find module 'axios': Tessera actions can require only crypto, url, querystring and util",
    );
  });

  test('a computed name is refused the same way, and the error can be caught (code MODULE_NOT_FOUND)', async () => {
    assert.deepEqual(
      await logged(
        `const name = 'f' + 's'; try { require(name); } catch (error) { console.log(error.code); }`,
      ),
      ['MODULE_NOT_FOUND'],
    );
  });
});
