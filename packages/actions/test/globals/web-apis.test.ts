import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messages, runBody } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

const logged = async (body: string) => messages(await runBody(fixture, body));

describe('URL and URLSearchParams', () => {
  test('parse, normalise and resolve as WHATWG URL does', async () => {
    const input = 'https://user:pw@Example.COM:8443/a/../b?x=1&y=2#h';
    const url = new URL(input);
    assert.deepEqual(
      await logged(
        `const u = new URL('${input}');
         console.log(u.href, u.host, u.pathname, u.searchParams.get('y'), u.origin);
         console.log(new URL('../x', 'https://e.com/a/b/c').href);
         try { new URL('nope'); } catch (error) { console.log(error.name, error.code); }`,
      ),
      [
        `${url.href} ${url.host} ${url.pathname} ${url.searchParams.get('y')} ${url.origin}`,
        new URL('../x', 'https://e.com/a/b/c').href,
        'TypeError ERR_INVALID_URL',
      ],
    );
  });

  test('URLSearchParams encodes, appends and reads repeated names', async () => {
    const params = new URLSearchParams({ a: '1 2', b: 'é&' });
    params.append('a', '3');
    assert.deepEqual(
      await logged(
        `const p = new URLSearchParams({ a: '1 2', b: 'é&' }); p.append('a', '3');
         console.log(p.toString(), p.getAll('a').join('|'), p.has('b'));`,
      ),
      [`${params.toString()} ${params.getAll('a').join('|')} true`],
    );
  });
});

describe('TextEncoder, TextDecoder, atob and btoa', () => {
  test('UTF-8 round trip', async () => {
    const bytes = new TextEncoder().encode('héllo €');
    assert.deepEqual(
      await logged(
        `const bytes = new TextEncoder().encode('héllo €');
         console.log(bytes.length, Array.from(bytes).join(','), new TextDecoder().decode(bytes));`,
      ),
      [`${bytes.length} ${Array.from(bytes).join(',')} héllo €`],
    );
  });

  test('base64 of Latin-1 strings; other characters throw InvalidCharacterError', async () => {
    assert.deepEqual(
      await logged(`console.log(btoa('hello'), atob('aGVsbG8='));
        try { btoa('€'); } catch (error) { console.log(error.name); }`),
      [`${btoa('hello')} hello`, 'InvalidCharacterError'],
    );
  });
});

describe('structuredClone', () => {
  test('deep-copies dates, maps, sets, typed arrays and cycles; refuses functions', async () => {
    assert.deepEqual(
      await logged(
        `const src = { d: new Date(0), m: new Map([[1, { x: 1 }]]), s: new Set([1]), a: [1, { b: 2 }], r: /x/g, u: new Uint8Array([1, 2]) };
         src.self = src;
         const c = structuredClone(src);
         console.log(c !== src, c.self === c, c.d instanceof Date, c.d.getTime(), c.m.get(1).x, c.m.get(1) !== src.m.get(1), c.s.has(1), c.a[1].b, c.r.source, c.u[1]);
         try { structuredClone(() => 1); } catch (error) { console.log(error.name); }`,
      ),
      ['true true true 0 1 true true 2 x 2', 'DataCloneError'],
    );
  });
});

describe('the crypto global', () => {
  test('randomUUID gives v4 UUIDs; getRandomValues fills integer arrays up to 64 KB', async () => {
    assert.deepEqual(
      await logged(
        `const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
         const ids = new Set(Array.from({ length: 50 }, () => crypto.randomUUID()));
         console.log([...ids].every((id) => v4.test(id)), ids.size);
         const a = new Uint32Array(8);
         console.log(crypto.getRandomValues(a) === a, a.some((x) => x !== 0));
         try { crypto.getRandomValues(new Uint8Array(70000)); } catch (error) { console.log(error.name); }
         try { crypto.getRandomValues(new Float64Array(2)); } catch (error) { console.log(error.name); }`,
      ),
      ['true 50', 'true true', 'QuotaExceededError', 'TypeError'],
    );
  });
});

describe('Buffer', () => {
  test('encodes and decodes like Node', async () => {
    const b = Buffer.from('héllo');
    assert.deepEqual(
      await logged(
        `const b = Buffer.from('héllo');
         console.log(b.length, b.toString('hex'), b.toString('base64'), b.toString('base64url'));
         console.log(Buffer.from('aGk=', 'base64').toString(), Buffer.from('6869', 'hex').toString(), Buffer.byteLength('€'));
         console.log(Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString(), Buffer.isBuffer(b), b.equals(Buffer.from('héllo')));
         console.log(Buffer.alloc(3).toString('hex'), b.subarray(1, 3).toString('hex'), JSON.stringify(Buffer.from('ab')));`,
      ),
      [
        `${b.length} ${b.toString('hex')} ${b.toString('base64')} ${b.toString('base64url')}`,
        `hi hi ${Buffer.byteLength('€')}`,
        'ab true true',
        `000000 ${b.subarray(1, 3).toString('hex')} ${JSON.stringify(Buffer.from('ab'))}`,
      ],
    );
  });
});
