import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

// Each expression builds a value; the clone's structure (types, prototypes, own keys, values, shared
// references) must be what Node's structuredClone produces.
const clones = (build: string) =>
  sandbox.same(`(() => { const value = ${build}; return describe(structuredClone(value)); })()`);

test('primitives, plain objects and arrays clone deeply, holes and extra properties included', () => {
  clones(`[1, -0, NaN, 'text', true, null, undefined, 10n]`);
  clones(`{ a: 1, b: { c: [1, { d: 'deep' }] }, 'odd key': true, 2: 'index first' }`);
  clones(`Object.assign([1, , 3], { extra: 'prop' })`);
  clones(`Object.defineProperty({ visible: 1 }, 'hidden', { value: 2, enumerable: false })`);
  clones(`{ get computed() { return 'read once'; } }`);
  clones(`JSON.parse('{"__proto__": {"polluted": true}}')`);
});

test('class instances become plain objects, as in Node', () => {
  clones(`new (class Point { constructor() { this.x = 1; } method() {} })()`);
  clones(`Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } })`);
  clones(`Object.assign(Object.create(null), { bare: true })`);
});

test('dates, regular expressions and boxed primitives keep their type', () => {
  clones(`[new Date(0), new Date(NaN), Object.assign(/ab+c/gimsuy, { lastIndex: 3 }), /x/d]`);
  clones(`[new Number(3), new String('boxed'), new Boolean(false), Object(5n)]`);
});

test('Map and Set clone keys and values deeply', () => {
  clones(`new Map([[{ k: 1 }, new Set([1, 'two', { three: 3 }])], ['nested', new Map([[1, [2]]])]])`);
});

test('ArrayBuffers are copied, and views over one buffer keep sharing the copy', () => {
  clones(
    `(() => { const ab = new ArrayBuffer(8); new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8]); return { ab, a: new Uint8Array(ab, 2, 3), b: new DataView(ab, 4), c: new Int16Array(ab, 0, 2), f: new Float64Array(1) }; })()`,
  );
  // Buffer.alloc, not Buffer.from: Node's from() slices a shared 64 KiB pool, and a clone copies the pool.
  clones(`Buffer.alloc(6, 'buffer')`);
  clones(`new ArrayBuffer(4, { maxByteLength: 16 })`);
  sandbox.same(
    `(() => { const ab = new ArrayBuffer(2); const copy = structuredClone(ab); new Uint8Array(ab)[0] = 9; return [new Uint8Array(copy)[0], copy.resizable, structuredClone(new ArrayBuffer(1, { maxByteLength: 4 })).maxByteLength]; })()`,
  );
});

test('errors keep their standard type, message, stack and cause, and lose other properties', () => {
  clones(
    `[new Error('plain'), new TypeError('typed'), new RangeError('ranged', { cause: { why: 1 } }), new SyntaxError(), new EvalError('e'), new URIError('u'), new ReferenceError('r')]`,
  );
  clones(`Object.assign(new Error('with code'), { code: 'E_CODE', extra: true })`);
  clones(
    `(() => { class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } } return new MyError('custom'); })()`,
  );
  clones(`(() => { const e = new TypeError('renamed'); e.name = 'RangeError'; return e; })()`);
  sandbox.same(
    `(() => { const e = new Error('s'); e.stack = 'Error: s\\n    at somewhere'; const c = structuredClone(e); return [c.stack, Object.getOwnPropertyNames(c).sort(), c instanceof Error]; })()`,
  );
});

test('cycles and shared references survive with their identity', () => {
  clones(
    `(() => { const a = { name: 'a' }; const b = { a, again: a }; a.self = a; a.b = b; const list = [a, b, a]; list.push(list); return list; })()`,
  );
  clones(`(() => { const m = new Map(); m.set('me', m); const s = new Set(); s.add(s); return [m, s]; })()`);
  sandbox.same(
    `(() => { const shared = { x: 1 }; const c = structuredClone({ p: shared, q: shared }); return [c.p === c.q, c.p !== shared]; })()`,
  );
});

test('functions, symbols and uncloneable objects throw DataCloneError as in Node', () => {
  for (const value of [
    'function foo() {}',
    '() => 1',
    "Symbol('s')",
    '{ nested: { fn() {} } }',
    '[1, Symbol.iterator]',
    'new WeakMap()',
    'new WeakSet()',
    'Promise.resolve(1)',
    'new WeakRef({})',
    "Object(Symbol('boxed'))",
  ]) {
    sandbox.same(`caught(() => structuredClone(${value}))`);
  }
  // Node's message here is garbled ('The "The value argument must be specified" argument…'); the type and
  // code are what matter.
  sandbox.same(`(({ name, code }) => [name, code])(caught(() => structuredClone()))`);
});

test('a transfer list detaches the original ArrayBuffer', () => {
  sandbox.same(
    `(() => { const ab = new Uint8Array([1, 2, 3]).buffer; const copy = structuredClone({ ab }, { transfer: [ab] }); return [ab.byteLength, ab.detached, [...new Uint8Array(copy.ab)]]; })()`,
  );
  sandbox.same(
    `(() => { const ab = new ArrayBuffer(1); structuredClone(ab, { transfer: [ab] }); return caught(() => structuredClone(ab)); })()`,
  );
  assert.equal(sandbox.run(`caught(() => structuredClone(1, { transfer: [{}] })).name`), 'DataCloneError');
});
