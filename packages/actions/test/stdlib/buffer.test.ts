import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox, random } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

const ENCODINGS = [
  'utf8',
  'utf-8',
  'UTF8',
  'hex',
  'base64',
  'base64url',
  'latin1',
  'binary',
  'ascii',
  'utf16le',
  'ucs2',
  'UCS-2',
];
const STRINGS = [
  '',
  'héllo wörld',
  '😀 emoji and 中文',
  'lone \ud800 high and \udc00 low',
  'abc\u0000\u00ff\u0100\u0141',
  'QUJD',
  'deadBEEF',
  'zz',
  'a b\tc\n',
  '+/-_==',
  'SGVsbG8=V29ybGQ',
];

function randomBytes(next: () => number, length: number, highBias: number): number[] {
  return Array.from({ length }, () =>
    next() < highBias ? 0x80 + Math.floor(next() * 0x80) : Math.floor(next() * 0x100),
  );
}

test('Buffer.from(string, encoding) gives the bytes Node gives, in every encoding', () => {
  sandbox.same(
    `${JSON.stringify(STRINGS)}.flatMap((s) => ${JSON.stringify(ENCODINGS)}.map((e) => [...Buffer.from(s, e)]))`,
  );
  sandbox.same(
    `[...Buffer.from('default is utf8 ü')].concat([...Buffer.from('x', '')], [...Buffer.from('x', null)])`,
  );
});

test('buf.toString(encoding) decodes random bytes as Node does, including invalid UTF-8', () => {
  const next = random(1);
  const cases = Array.from({ length: 300 }, (_, i) => randomBytes(next, i % 40, i % 3 === 0 ? 0.8 : 0.2));
  cases.push(
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xc0, 0x80],
    [0xe0, 0x80, 0x41],
    [0xf0, 0x9f, 0x98],
    [0xf0, 0x9f, 0x98, 0x80],
    [0xef, 0xbb, 0xbf, 0x61],
    [0xff, 0xfe, 0x41],
    [0x61],
  );
  sandbox.same(
    `${JSON.stringify(cases)}.map((a) => ${JSON.stringify(ENCODINGS)}.map((e) => Buffer.from(a).toString(e)))`,
  );
});

test('lenient base64 and hex decoding matches Node on random junk', () => {
  const next = random(2);
  const alphabet = 'AZaz09+/-_= \n\t.!é\u0141\u0100';
  const cases = Array.from({ length: 400 }, (_, i) =>
    Array.from({ length: i % 23 }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
  sandbox.same(
    `${JSON.stringify(cases)}.map((s) => [[...Buffer.from(s, 'base64')], [...Buffer.from(s, 'base64url')]])`,
  );
  const hexAlphabet = '0123456789abcdefABCDEFxz \u0141';
  const hex = Array.from({ length: 200 }, (_, i) =>
    Array.from({ length: i % 11 }, () => hexAlphabet[Math.floor(next() * hexAlphabet.length)]).join(''),
  );
  sandbox.same(`${JSON.stringify(hex)}.map((s) => [...Buffer.from(s, 'hex')])`);
  sandbox.same(
    `${JSON.stringify(cases)}.map((s) => [Buffer.byteLength(s, 'base64'), Buffer.byteLength(s, 'hex'), Buffer.byteLength(s)])`,
  );
});

test('toString honours start and end as Node does, including odd values', () => {
  const ranges = [
    [],
    [1],
    [1, 3],
    [-1, 2],
    [2, 100],
    [NaN, 2],
    [1.7, 3.2],
    [4, 2],
    [undefined, 3],
    ['1', '3'],
  ];
  sandbox.same(
    `${JSON.stringify(ranges)}.map((r) => ['utf8', 'hex', 'base64', 'ucs2'].map((e) => Buffer.from('héllo!').toString(e, ...r)))`,
  );
  sandbox.same(`caught(() => Buffer.from('a').toString('bogus'))`);
  sandbox.same(`caught(() => Buffer.from('a').toString(null))`);
});

test('Buffer.from accepts arrays, array-likes, buffers, ArrayBuffers and objects with a primitive', () => {
  sandbox.same(`[...Buffer.from([1, 256, -1, 3.7, '5', 'x'])]`);
  sandbox.same(`[...Buffer.from({ length: 3, 0: 9, 1: 8 })]`);
  sandbox.same(`[...Buffer.from(new Uint16Array([1, 0x1234]))]`);
  sandbox.same(`[...Buffer.from({ type: 'Buffer', data: [1, 2, 3] })]`);
  sandbox.same(`[...Buffer.from(new String('boxed'))]`);
  sandbox.same(`[...Buffer.from({ [Symbol.toPrimitive]: () => 'prim' })]`);
  sandbox.same(
    `(() => { const ab = new ArrayBuffer(8); const b = Buffer.from(ab, 2, 3); b[0] = 7; return [new Uint8Array(ab)[2], b.length, b.byteOffset]; })()`,
  );
  sandbox.same(
    `(() => { const src = Buffer.from('abc'); const copy = Buffer.from(src); copy[0] = 0; return src.toString(); })()`,
  );
  for (const bad of ['{}', '123', 'null', 'undefined', 'Symbol("s")'])
    sandbox.same(`caught(() => Buffer.from(${bad}))`);
  sandbox.same(`caught(() => Buffer.from(new ArrayBuffer(4), 5))`);
  sandbox.same(`caught(() => Buffer.from(new ArrayBuffer(4), 1, 5))`);
});

test('alloc, allocUnsafe, concat, compare, equals and the static helpers behave like Node', () => {
  sandbox.same(
    `[Buffer.alloc(5, 'ab'), Buffer.alloc(5, 'aGk=', 'base64'), Buffer.alloc(4, 257), Buffer.alloc(5, Buffer.from([1, 2])), Buffer.alloc(3, '')].map((b) => [...b])`,
  );
  sandbox.same(`[Buffer.alloc(0).length, Buffer.allocUnsafe(3).length, Buffer.allocUnsafeSlow(2).length]`);
  for (const bad of ['-1', "'1'", 'NaN', '2 ** 53']) sandbox.same(`caught(() => Buffer.alloc(${bad}))`);
  sandbox.same(`caught(() => Buffer.alloc(2, 'zz', 'hex'))`);
  sandbox.same(
    `[Buffer.concat([Buffer.from('ab'), new Uint8Array([1])]), Buffer.concat([Buffer.from('abc')], 2), Buffer.concat([Buffer.from('a')], 3), Buffer.concat([])].map((b) => [...b])`,
  );
  sandbox.same(
    `[caught(() => Buffer.concat('x')), caught(() => Buffer.concat([1])), caught(() => Buffer.concat([Buffer.from('a')], -1))]`,
  );
  sandbox.same(
    `[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('ab'), Buffer.from('a')), Buffer.compare(Buffer.from(''), Buffer.from(''))]`,
  );
  sandbox.same(
    `[Buffer.from('abc').equals(Buffer.from('abc')), Buffer.from('abc').equals(new Uint8Array([97, 98])), caught(() => Buffer.from('a').equals('a'))]`,
  );
  sandbox.same(
    `['utf8', 'UTF-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le', 'utf16', '', 'bogus', null, 1].map((e) => Buffer.isEncoding(e))`,
  );
  sandbox.same(
    `[Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x'), Buffer.alloc(1) instanceof Uint8Array]`,
  );
  sandbox.same(
    `[Buffer.byteLength('héllo'), Buffer.byteLength('héllo', 'latin1'), Buffer.byteLength('abcd', 'hex'), Buffer.byteLength('QUJD==', 'base64'), Buffer.byteLength('ab', 'ucs2'), Buffer.byteLength(new Uint16Array(3)), Buffer.byteLength(new ArrayBuffer(5)), Buffer.byteLength('x', 'bogus')]`,
  );
  sandbox.same(`caught(() => Buffer.byteLength(5))`);
});

test('Buffer is callable with or without new, and derived buffers stay Buffers', () => {
  sandbox.same(
    `[[...Buffer(3)], [...new Buffer('hi')], Buffer.of(1, 2).length, Buffer.from('hi').constructor.name]`,
  );
  sandbox.same(
    `[Buffer.from('hello').map((x) => x + 1) instanceof Buffer, Buffer.from('hello').filter((x) => x > 104).toString(), Buffer.from('hello').subarray(1) instanceof Buffer]`,
  );
  sandbox.same(`[Object.prototype.toString.call(Buffer.from('')), Buffer.poolSize > 0]`);
});

test('slice and subarray share memory with the original, as in Node', () => {
  sandbox.same(
    `(() => { const b = Buffer.from('abcdef'); const s = b.slice(1, 3); s[0] = 0x5a; return [b.toString(), s.toString(), s instanceof Buffer]; })()`,
  );
  const ranges = [[], [2], [-2], [1, -1], [-10, 2], [4, 2], [NaN, 3], [1.9, 4.2], [0, 100]];
  sandbox.same(
    `${JSON.stringify(ranges)}.map((r) => [Buffer.from('abcdef').slice(...r).toString(), Buffer.from('abcdef').subarray(...r).toString()])`,
  );
});

test('toJSON and JSON.stringify give the { type, data } shape', () => {
  sandbox.same(
    `[Buffer.from('hi').toJSON(), JSON.stringify(Buffer.from([1, 2])), JSON.stringify(Buffer.alloc(0))]`,
  );
});

test('write handles every overload, partial characters and bad arguments like Node', () => {
  const calls = [
    "['héllo']",
    "['héllo', 'latin1']",
    "['6869', 'hex']",
    "['abc', 2]",
    "['abc', 2, 1]",
    "['abcdef', 1, 2, 'ascii']",
    "['😀', 5]",
    "['aé', 6]",
    "['a😀b', 0, 4]",
    "['abc', 0, 'ucs2']",
    "['aGk=', 1, 'base64']",
    "['abc', 8]",
  ];
  sandbox.same(
    `[${calls.join(',')}].map((args) => { const b = Buffer.alloc(8); const n = b.write(...args); return [n, [...b]]; })`,
  );
  for (const bad of ["['a', 9]", "['a', -1]", "['a', 1.5]", "['a', '1', 2]", "['a', 0, 2, 'bogus']", '[5]']) {
    sandbox.same(`caught(() => Buffer.alloc(8).write(...${bad}))`);
  }
});

test('copy and fill follow Node, overlapping copies included', () => {
  const copies = [[], [2], [1, 1], [0, 1, 3], [6], [0, 4, 2], [1, 0, 100], ['1', '1', '3'], [0.5, 1.5, 3.5]];
  sandbox.same(
    `${JSON.stringify(copies)}.map((r) => { const t = Buffer.alloc(6, 0x2e); const n = Buffer.from('abcdef').copy(t, ...r); return [n, t.toString()]; })`,
  );
  sandbox.same(`(() => { const b = Buffer.from('abcdefgh'); b.copy(b, 2, 0, 5); return b.toString(); })()`);
  sandbox.same(
    `[caught(() => Buffer.from('a').copy(Buffer.alloc(2), -1)), caught(() => Buffer.from('a').copy(Buffer.alloc(2), 0, 5)), caught(() => Buffer.from('a').copy('x'))]`,
  );
  const fills = [
    "['ab']",
    "['ab', 1]",
    "['ab', 1, 4]",
    "['6162', 'hex']",
    "['6162', 1, 'hex']",
    '[0x101]',
    '[-1, 2]',
    "['é', 'latin1']",
    "['é']",
    '[Buffer.from([1, 2, 3]), 2]',
    '[true]',
    "['']",
  ];
  sandbox.same(`[${fills.join(',')}].map((args) => [...Buffer.alloc(6).fill(...args)])`);
  for (const bad of ["['zz', 'hex']", "['a', 'bogus']", "['a', -1]", "['a', 0, 10]", '[Buffer.alloc(0)]']) {
    sandbox.same(`caught(() => Buffer.alloc(6).fill(...${bad}))`);
  }
});

test('indexOf, lastIndexOf and includes find what Node finds, offsets and encodings included', () => {
  const needles = ["'ef'", "''", "'f'", "'abcdefabcdefg'", "'a'", "Buffer.from('cd')", '0x62', '0x162', '98'];
  const offsets = [
    'undefined',
    '0',
    '4',
    '5',
    '10',
    '11',
    '100',
    '-1',
    '-3',
    '-20',
    'NaN',
    'null',
    '[]',
    '1.5',
  ];
  sandbox.same(
    `[${needles.join(',')}].flatMap((n) => [${offsets.join(',')}].map((o) => { const b = Buffer.from('abcdefabcdef'); return [b.indexOf(n, o), b.lastIndexOf(n, o), b.includes(n, o)]; }))`,
  );
  sandbox.same(
    `(() => { const u = Buffer.from('abcabc', 'utf16le'); return [u.indexOf('b', 'ucs2'), u.lastIndexOf('b', undefined, 'ucs2'), u.indexOf('b', 3, 'ucs2'), u.lastIndexOf('b', 5, 'ucs2'), Buffer.from([0, 0x62, 0]).indexOf('b', 'ucs2'), Buffer.from([0x62, 0, 0x62, 0]).indexOf(Buffer.from([0x62, 0]), 1, 'ucs2')]; })()`,
  );
  sandbox.same(
    `(() => { const b = Buffer.from('abcdefabcdef'); return [b.indexOf('62', 'hex'), b.indexOf('Yg==', 'base64'), b.indexOf('cd', 0, 3), b.indexOf('c', 0, 3), b.indexOf('é'), Buffer.from('héllo').indexOf('é'), Buffer.from('héllo').indexOf('é', 'latin1')]; })()`,
  );
  sandbox.same(
    `[caught(() => Buffer.from('a').indexOf({})), caught(() => Buffer.from('a').indexOf('a', 0, 'bogus')), caught(() => Buffer.from('a').indexOf('a', 'bogus')), Buffer.from('ab').indexOf(0x62, 'bogus')]`,
  );
});

test('integer, float and bigint accessors read and write like Node, bounds errors included', () => {
  const reads = [
    'UInt8',
    'Int8',
    'UInt16LE',
    'UInt16BE',
    'Int16LE',
    'Int16BE',
    'UInt32LE',
    'UInt32BE',
    'Int32LE',
    'Int32BE',
    'Uint16LE',
    'Uint32BE',
    'FloatLE',
    'FloatBE',
    'DoubleLE',
    'DoubleBE',
    'BigUInt64LE',
    'BigInt64BE',
    'BigUint64BE',
  ];
  sandbox.same(
    `${JSON.stringify(reads)}.map((m) => { const b = Buffer.from([0x81, 0xff, 0x10, 0x80, 0x7f, 0x00, 0xc0, 0x40, 0x01, 0xfe]); return [0, 1, 2].map((o) => String(b['read' + m](o))); })`,
  );
  sandbox.same(
    `[1, 2, 3, 4, 5, 6].map((n) => { const b = Buffer.from([0x81, 0xff, 0x10, 0x80, 0x7f, 0x00, 0xc0]); return [b.readUIntLE(0, n), b.readUIntBE(1, n), b.readIntLE(0, n), b.readIntBE(1, n)]; })`,
  );
  const writes = [
    ['UInt8', '255'],
    ['Int8', '-128'],
    ['UInt16LE', '0xbeef'],
    ['UInt16BE', '0xbeef'],
    ['Int16LE', '-2'],
    ['Int16BE', '-32768'],
    ['UInt32LE', '0xdeadbeef'],
    ['UInt32BE', '4294967295'],
    ['Int32LE', '-1'],
    ['Int32BE', '2147483647'],
    ['Uint8', '1.9'],
    ['FloatLE', '1.5'],
    ['DoubleBE', '-0.1'],
    ['BigUInt64LE', '2n ** 64n - 1n'],
    ['BigInt64BE', '-(2n ** 63n)'],
  ];
  sandbox.same(
    `[${writes.map(([m, v]) => `[${JSON.stringify(m)}, ${v}]`).join(',')}].map(([m, v]) => { const b = Buffer.alloc(10); const end = b['write' + m](v, 1); return [end, [...b]]; })`,
  );
  sandbox.same(
    `[1, 2, 3, 4, 5, 6].map((n) => { const b = Buffer.alloc(8); return [b.writeUIntLE(2 ** (8 * n) - 1, 0, n), b.writeIntBE(-5, 1, n), [...b]]; })`,
  );
  const bad = [
    'b.readUInt8(5)',
    'b.readUInt8(1.5)',
    "b.readUInt8('1')",
    'b.readUInt16LE(4)',
    'b.readUInt32LE(-1)',
    'b.readDoubleLE(0)',
    'b.readUIntLE(0, 7)',
    'b.readUIntLE(undefined, 2)',
    'b.writeUInt8(256)',
    'b.writeUInt32LE(-1)',
    'b.writeInt32BE(2 ** 31)',
    'b.writeUInt16LE(1, 4)',
    'b.writeUIntLE(2 ** 40, 0, 5)',
    'b.writeIntBE(-(2 ** 47) - 1, 0, 6)',
    'b.writeBigUInt64LE(-1n)',
    'Buffer.alloc(2).swap32()',
  ];
  sandbox.same(
    `(() => { const b = Buffer.alloc(5); return [${bad.map((c) => `caught(() => ${c})`).join(',')}]; })()`,
  );
});

test('swap16, swap32 and swap64 reorder bytes in place', () => {
  sandbox.same(
    `[Buffer.from('0102030405060708', 'hex').swap16(), Buffer.from('0102030405060708', 'hex').swap32(), Buffer.from('0102030405060708', 'hex').swap64()].map((b) => b.toString('hex'))`,
  );
});

test('inspect shows a Buffer as Node does', () => {
  sandbox.same(
    `[inspect(Buffer.from('hi')), inspect(Buffer.alloc(0)), inspect(Buffer.alloc(60, 1)), inspect({ b: Buffer.from('x') })]`,
  );
  assert.equal(sandbox.run(`inspect(Buffer.from([0xde, 0xad]))`), '<Buffer de ad>');
});
