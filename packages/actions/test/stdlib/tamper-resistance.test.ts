// Tenant code runs in the same context after the library is installed and may replace built-in
// prototype methods, by accident (polyfills) or on purpose. The library captured what it needs first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { createSandbox } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

before(() => {
  sandbox.run(`(() => {
    globalThis.sample = { a: [1, 'x'], m: new Map([[1, { a: [1] }]]) };
    const broken = () => { throw new Error('tampered'); };
    for (const [proto, names] of [
      [Array.prototype, ['push', 'join', 'slice', 'splice', 'indexOf', 'sort', 'map', 'includes']],
      [String.prototype, ['slice', 'indexOf', 'charCodeAt', 'split', 'replace', 'toLowerCase', 'startsWith', 'includes', 'padStart', 'repeat', 'trim', 'toWellFormed']],
      [Map.prototype, ['get', 'set', 'has']],
      [Set.prototype, ['add', 'has']],
      [Uint8Array.prototype, ['set', 'subarray', 'fill']],
      [Object.getPrototypeOf(Uint8Array.prototype), ['set', 'subarray', 'fill']],
      [RegExp.prototype, ['exec']],
    ]) {
      for (const name of names) proto[name] = broken;
    }
    Function.prototype.call = broken;
    Function.prototype.apply = broken;
    JSON.parse = broken;
    JSON.stringify = broken;
    Object.keys = broken;
    Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag, { get: () => 'Forged' });
    return true;
  })()`);
});

test('Buffer, text codecs and base64 keep working after prototypes are replaced', () => {
  assert.deepEqual(
    sandbox.run(
      `[Buffer.from('héllo').toString('base64'), Buffer.from('aGk=', 'base64').toString(), Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString('hex'), new TextDecoder().decode(new TextEncoder().encode('ü')), btoa('hi'), atob('aGk='), Buffer.from('abc').indexOf('c')]`,
    ),
    ['aMOpbGxv', 'hi', '6162', 'ü', 'aGk=', 'hi', 2],
  );
});

test('URL, URLSearchParams and querystring keep working after prototypes are replaced', () => {
  assert.deepEqual(
    sandbox.run(
      `(() => { const u = new URL('https://Example.com/a?x=1'); u.searchParams.append('y', 'a b'); u.pathname = 'b c'; return [u.href, u.searchParams.get('x'), new URLSearchParams('a=1&a=2').getAll('a').length, querystring.stringify({ k: 'v w' })]; })()`,
    ),
    ['https://example.com/b%20c?x=1&y=a+b', '1', 2, 'k=v%20w'],
  );
});

test('inspect, format and structuredClone keep working after prototypes are replaced', () => {
  const sample = { a: [1, 'x'], m: new Map([[1, { a: [1] }]]) };
  assert.deepEqual(
    sandbox.run(
      `[inspect(sample), format('%s=%d', 'n', 5), inspect(structuredClone(sample)), timingSafeEqual(Buffer.from('a'), Buffer.from('a'))]`,
    ),
    [inspect(sample), 'n=5', inspect(sample), true],
  );
});
