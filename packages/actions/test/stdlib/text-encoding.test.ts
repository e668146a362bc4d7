import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox, random } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

const STRINGS = [
  '',
  'ascii',
  'héllo',
  '€ and 中文',
  '😀😀',
  'lone \ud83d high',
  'lone \ude00 low',
  '\ud83d',
  'a\u0000b',
];

test('TextEncoder encodes to UTF-8 like Node, lone surrogates as U+FFFD', () => {
  sandbox.same(`${JSON.stringify(STRINGS)}.map((s) => [...new TextEncoder().encode(s)])`);
  sandbox.same(
    `[new TextEncoder().encoding, [...new TextEncoder().encode()], [...new TextEncoder().encode(123)], Object.prototype.toString.call(new TextEncoder())]`,
  );
});

test('TextEncoder#encodeInto writes only whole characters and reports read/written like Node', () => {
  sandbox.same(
    `${JSON.stringify(STRINGS)}.flatMap((s) => [0, 1, 2, 3, 4, 5, 8].map((n) => { const d = new Uint8Array(n); const r = new TextEncoder().encodeInto(s, d); return [r.read, r.written, [...d]]; }))`,
  );
  sandbox.same(
    `[caught(() => new TextEncoder().encodeInto('a', [])), caught(() => new TextEncoder().encodeInto(1, new Uint8Array(1)))]`,
  );
});

test('TextDecoder decodes UTF-8 like Node, replacing invalid sequences', () => {
  const next = random(3);
  const cases = Array.from({ length: 300 }, (_, i) =>
    Array.from({ length: i % 30 }, () =>
      next() < 0.6 ? 0x80 + Math.floor(next() * 0x80) : Math.floor(next() * 0x80),
    ),
  );
  sandbox.same(`${JSON.stringify(cases)}.map((a) => new TextDecoder().decode(new Uint8Array(a)))`);
  sandbox.same(
    `[new TextDecoder().decode(), new TextDecoder().decode(new Uint8Array([0x68, 0x69]).buffer), new TextDecoder().decode(new DataView(new Uint8Array([0xc3, 0xa9]).buffer)), new TextDecoder().decode(new Uint16Array([0x6968]))]`,
  );
  sandbox.same(`caught(() => new TextDecoder().decode('text'))`);
});

test('fatal decoding throws the TypeError Node throws', () => {
  sandbox.same(
    `[caught(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x61, 0xff]))), new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x61])), new TextDecoder('utf8', { fatal: true }).fatal]`,
  );
  sandbox.same(
    `caught(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xe2, 0x82])))`,
  );
});

test('a BOM is removed once at the start unless ignoreBOM is set', () => {
  sandbox.same(
    `[new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xef, 0xbb, 0xbf])), new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), new TextDecoder('utf-16le').decode(new Uint8Array([0xff, 0xfe, 0x61, 0x00])), new TextDecoder().ignoreBOM]`,
  );
});

test('streaming decodes characters split across chunks, as Node does', () => {
  const next = random(4);
  const text = 'héllo wörld 😀 中文 — fin';
  const splits = Array.from({ length: 40 }, () => [Math.floor(next() * 12), Math.floor(next() * 12) + 12]);
  sandbox.same(
    `${JSON.stringify(splits)}.map(([a, b]) => { const bytes = new TextEncoder().encode(${JSON.stringify(text)} + '\\ud800'); const d = new TextDecoder(); return d.decode(bytes.subarray(0, a), { stream: true }) + '|' + d.decode(bytes.subarray(a, b), { stream: true }) + '|' + d.decode(bytes.subarray(b)); })`,
  );
  sandbox.same(
    `(() => { const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xf0, 0x9f, 0x98, 0x80]); const d = new TextDecoder(); const parts = []; for (const b of bytes) parts.push(d.decode(new Uint8Array([b]), { stream: true })); parts.push(d.decode()); parts.push(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x62]))); return parts; })()`,
  );
  sandbox.same(
    `(() => { const bytes = new Uint8Array([0x3d, 0xd8, 0x00, 0xde, 0x61, 0x00, 0x62]); const d = new TextDecoder('utf-16le'); return [d.decode(bytes.subarray(0, 1), { stream: true }), d.decode(bytes.subarray(1, 3), { stream: true }), d.decode(bytes.subarray(3, 6), { stream: true }), d.decode(bytes.subarray(6))]; })()`,
  );
});

test('labels resolve as in Node: utf8, utf-16le, and latin1/ascii as windows-1252', () => {
  sandbox.same(
    `['utf-8', 'utf8', ' UTF-8 ', 'unicode-1-1-utf-8', 'utf-16le', 'utf-16', 'ucs-2', 'latin1', 'ascii', 'iso-8859-1', 'us-ascii', 'windows-1252'].map((l) => new TextDecoder(l).encoding)`,
  );
  sandbox.same(
    `['latin1', 'ascii', 'windows-1252'].map((l) => new TextDecoder(l).decode(new Uint8Array([0x41, 0x80, 0x81, 0x8d, 0x9f, 0xa0, 0xe9, 0xff])))`,
  );
  sandbox.same(
    `new TextDecoder('utf-16le').decode(new Uint8Array([0x61, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 0x62, 0x00, 0x63]))`,
  );
  sandbox.same(
    `[caught(() => new TextDecoder('foo')), caught(() => new TextDecoder('utf-16le', { fatal: true }).decode(new Uint8Array([0x00, 0xd8])))]`,
  );
  assert.equal(sandbox.run(`Object.prototype.toString.call(new TextDecoder())`), '[object TextDecoder]');
});

test('btoa encodes Latin-1 strings and rejects others with InvalidCharacterError', () => {
  sandbox.same(
    `['', 'a', 'ab', 'abc', 'hello world', '\\u00ff\\u00fe\\u0000', null, undefined, 12345].map((s) => btoa(s))`,
  );
  sandbox.same(`[caught(() => btoa('\\u0100')), caught(() => btoa('😀')), caught(() => btoa())]`);
});

test('atob decodes forgiving base64 and fails with the DOMException Node throws', () => {
  const inputs = ['', 'YQ', 'YR==', 'YR', 'aGVsbG8=', 'aGVs bG8=', 'ab\tc\nd', 'ab cd', '//4=', '////', null];
  sandbox.same(`${JSON.stringify(inputs)}.map((s) => atob(s))`);
  const invalid = [
    'a',
    'ab=c',
    'a===',
    'ab=',
    'a=',
    'abcde',
    'abcde=',
    'ab-c',
    'ab_c',
    'abcd=',
    'abcd==',
    'abc==',
    '=',
    '==',
    'abcdef=',
    'a\u0100bc',
    'ab\u00a0cd',
    'ab%c',
    undefined,
  ];
  sandbox.same(`${JSON.stringify(invalid)}.map((s) => caught(() => atob(s)))`);
  sandbox.same(`[caught(() => atob()), caught(() => atob(undefined))]`);
  const next = random(5);
  const alphabet = 'ab+/= \t-_';
  const fuzz = Array.from({ length: 300 }, (_, i) =>
    Array.from({ length: i % 10 }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
  sandbox.same(
    `${JSON.stringify(fuzz)}.map((s) => { try { return atob(s); } catch (e) { return e.name + ': ' + e.message; } })`,
  );
});
