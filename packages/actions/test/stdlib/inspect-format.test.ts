import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

const inspects = (values: string[], options = '') =>
  sandbox.same(`[${values.join(',\n')}].map((v) => inspect(v${options ? `, ${options}` : ''}))`);

test('inspect prints primitives and strings like util.inspect', () => {
  inspects([
    '1',
    '-0',
    'NaN',
    '10n',
    'true',
    'undefined',
    'null',
    "Symbol('s')",
    "'plain'",
    `"it's"`,
    `'both \\' and "'`,
    `'all \\' " and \`'`,
    "'control \\u0000\\u001b\\n\\t\\u007f\\u0085 chars'",
    "'lone \\ud800 surrogate'",
    "'x'.repeat(9000)",
    "'first line\\nsecond line which is long enough to make the string wrap across lines\\nthird'",
  ]);
});

test('inspect prints objects and arrays like util.inspect, depth and line breaking included', () => {
  inspects([
    '{ a: 1, b: "x" }',
    '{}',
    '[]',
    '{ a: { b: { c: { d: 1 } } } }',
    '[[[[1]]]]',
    "{ 'key-with-dash': 1, valid_id: 2, 3: 'num', [Symbol('sym')]: 4, __proto__: { inherited: 1 } }",
    "{ ['__proto__']: 1 }",
    'Object.create(null)',
    'Object.assign(Object.create(null), { a: 1 })',
    '{ get g() { return 1; }, set s(v) {}, get gs() { return 1; }, set gs(v) {} }',
    'Object.defineProperty({}, "hidden", { value: 1, enumerable: false })',
    'Array.from({ length: 30 }, (_, i) => i * 1000)',
    'Array.from({ length: 150 }, (_, i) => i)',
    'Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat(i % 5 + 1))',
    '[1, , 3, , , 6]',
    'new Array(5)',
    'Object.assign([1, 2], { extra: true })',
    "{ long: 'x'.repeat(60), other: 'y'.repeat(30), nested: { deeper: ['a'.repeat(20), 'b'.repeat(20), 'c'.repeat(20)] } }",
    "Array.from({ length: 8 }, (_, i) => ({ id: i, name: 'item' + i }))",
    '{ a: [1, 2, [3, [4, [5]]]], m: new Map([[{ k: 1 }, new Set([1])]]) }',
    '(() => { const a = { name: "a" }; a.self = a; a.list = [a, { back: a }]; return a; })()',
    '(() => { const a = {}; const b = { a }; a.b = b; return [a, b]; })()',
    'new (class Foo { constructor() { this.x = 1; } })()',
    'new (class {})()',
    'new (class Bar extends Map {})([[1, 2]])',
    '{ [Symbol.toStringTag]: "Own" }',
    'new (class Tagged { get [Symbol.toStringTag]() { return "Custom"; } })()',
    '(function () { return arguments; })(1, 2)',
  ]);
});

test('inspect prints built-in types like util.inspect', () => {
  inspects([
    'new Date(0)',
    'new Date(NaN)',
    'Object.assign(new Date(0), { extra: 1 })',
    '/ab+c/gi',
    'new Map([[1, "one"], ["two", { n: 2 }]])',
    'new Set([1, "two", [3]])',
    'new Map()',
    'new Set()',
    'new WeakMap()',
    'new WeakSet()',
    'new Number(3)',
    "new String('boxed')",
    'new Boolean(false)',
    'Object(5n)',
    "Object(Symbol('s'))",
    'new Uint8Array([1, 2, 3])',
    'new Float64Array([1.5, -0])',
    'new BigInt64Array([1n, -1n])',
    'new Uint8Array(200)',
    'new ArrayBuffer(4)',
    'new Uint8Array([1, 2, 255]).buffer',
    'new DataView(new ArrayBuffer(2), 1)',
    'Buffer.from("buffer")',
    'function named() {}',
    '() => {}',
    'async function af() {}',
    'function* gen() {}',
    'async function* agen() {}',
    'class Klass {}',
    'class Child extends Array {}',
    'class {}',
    'Object.assign(function withProps() {}, { a: 1 })',
    'Math.max',
    'new URL("https://example.com/p?q=1")',
    'new URLSearchParams("a=1&b=2")',
  ]);
});

test('inspect prints errors like util.inspect when the stack is known', () => {
  const withStack = (build: string) =>
    `(() => { const e = ${build}; e.stack = e.name + ': ' + e.message + '\\n    at fn (file.js:1:2)\\n    at other (file.js:3:4)'; return e; })()`;
  inspects([
    withStack("new Error('boom')"),
    withStack("new TypeError('typed')"),
    withStack("Object.assign(new Error('with props'), { code: 'E_X', status: 500 })"),
    withStack(`new Error('outer', { cause: ${withStack("new Error('inner')")} })`),
    withStack("new Error('outer', { cause: 'just a string' })"),
    withStack("(() => { const e = new Error('renamed'); e.name = 'CustomName'; return e; })()"),
    withStack("new (class ValidationError extends Error {})('sub')"),
    withStack(`new AggregateError([${withStack("new Error('a')")}], 'many')`),
    "(() => { const e = new Error('no stack'); e.stack = undefined; return e; })()",
    "(() => { const e = new RangeError('no stack'); delete e.stack; return { nested: e }; })()",
    `{ error: ${withStack("new Error('nested')")} }`,
  ]);
});

test('inspect honours depth, breakLength, compact and length limits', () => {
  inspects(['{ a: { b: { c: { d: { e: 1 } } } } }', '[1, [2, [3, [4]]]]'], '{ depth: 0 }');
  inspects(['{ a: { b: { c: { d: { e: 1 } } } } }'], '{ depth: null }');
  inspects(['{ a: 1, b: 2, c: 3 }', 'Array.from({ length: 10 }, (_, i) => i)'], '{ breakLength: 10 }');
  inspects(['{ a: { b: 1 } }'], '{ compact: false }');
  inspects(['Array.from({ length: 10 }, (_, i) => i)', 'new Set([1, 2, 3])'], '{ maxArrayLength: 2 }');
  inspects(["'abcdefghij'"], '{ maxStringLength: 4 }');
  inspects(['{ a: 1 }'], '{ breakLength: Infinity }');
});

test('custom inspect functions are honoured as in Node', () => {
  inspects([
    "{ [Symbol.for('nodejs.util.inspect.custom')]() { return 'custom!'; } }",
    "{ [Symbol.for('nodejs.util.inspect.custom')]() { return { replaced: true }; } }",
    "{ wrap: { [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) { return 'depth ' + depth + ' ' + typeof options.stylize + ' ' + (inspect === undefined); } } }",
    "{ multi: { [Symbol.for('nodejs.util.inspect.custom')]() { return 'line1\\nline2'; } } }",
  ]);
  assert.equal(sandbox.run(`inspect.custom === Symbol.for('nodejs.util.inspect.custom')`), true);
});

test('format handles every placeholder like util.format', () => {
  const calls = [
    "['%s %d %i %f %j', 'str', 42.5, 42.5, '42.5', { a: 1 }]",
    "['%s', { a: { b: { c: 1 } } }]",
    "['%s', [1, [2, [3]]]]",
    "['%s', new Date(0)]",
    "['%s', Object.assign(new Error('e'), { stack: 'Error: e\\n    at here (file.js:1:1)' })]",
    "['%s', { toString() { return 'custom'; } }]",
    "['%s', new (class A { toString() { return 'class'; } })()]",
    "['%s', new (class B {})()]",
    "['%s', Object.create(null)]",
    "['%s', null, undefined, 1n, Symbol('y'), -0]",
    "['%d %d %d %d', 10n, Symbol('x'), '0x10', {}]",
    "['%i %i %i', 3.9, '42px', 10n]",
    "['%f %f', '1.5e3xyz', Symbol('s')]",
    "['%j', (() => { const a = {}; a.a = a; return a; })()]",
    "['%O', { deep: { deeper: { deepest: { gone: 1 } } } }]",
    "['%c styled %s', 'color: red', 'text']",
    "['100%% sure %s', 'yes']",
    "['%s']",
    "['%s %s', 'only one']",
    "['%x unknown %s', 'arg']",
    "['no placeholders', 'extra', 1, { a: 1 }]",
    "[{ first: 'object' }, 'then string', 2]",
    '[1, 2, 3]',
    "['%', 'trailing']",
    "['%%s', 'x']",
    '[]',
    "['%s', 'x'.repeat(100)]",
  ];
  sandbox.same(`[${calls.join(',\n')}].map((args) => format(...args))`);
});

test('format and inspect never throw, whatever the value does', () => {
  const results = sandbox.run<string[]>(`[
    inspect({ get [Symbol.toStringTag]() { throw new Error('tag'); }, a: 1 }),
    inspect(new Proxy({}, { get() { throw new Error('get trap'); }, ownKeys() { throw new Error('keys trap'); }, getOwnPropertyDescriptor() { throw new Error('desc trap'); }, getPrototypeOf() { throw new Error('proto trap'); } })),
    inspect({ [Symbol.for('nodejs.util.inspect.custom')]() { throw new Error('custom'); } }),
    inspect({ nested: { [Symbol.for('nodejs.util.inspect.custom')]() { throw new TypeError('inner'); } }, after: 1 }),
    inspect(Object.defineProperty(new Error('m'), 'stack', { get() { throw new Error('stack getter'); } })),
    format('%s', { toString: null, [Symbol.toPrimitive]() { throw new Error('prim'); } }),
    format('%s', { [Symbol.toPrimitive]() { throw new Error('own prim'); } }),
    format('%j', { big: 1n }),
    format('%j', { toJSON() { throw new Error('toJSON'); } }),
    format('%d', { valueOf() { throw new Error('valueOf'); } }),
    format(new Proxy({}, { getPrototypeOf() { throw new Error('proto'); } })),
  ]`);
  assert.equal(results.length, 11);
  for (const text of results) assert.equal(typeof text, 'string');
  assert.match(results[1]!, /Inspection threw/);
  assert.match(results[3]!, /nested: <Inspection threw \(TypeError: inner\)>, after: 1/);
  assert.equal(results[7], '[TypeError: Do not know how to serialize a BigInt]');
});

test('inspect and format stop at 10 000 characters', () => {
  const sizes = sandbox.run<number[]>(`[
    inspect(Array.from({ length: 100 }, () => 'x'.repeat(1000))).length,
    inspect(Object.fromEntries(Array.from({ length: 50000 }, (_, i) => ['key' + i, i]))).length,
    inspect('y'.repeat(50000)).length,
    format('z'.repeat(50000)).length,
    format('%s', 'z'.repeat(50000)).length,
    format('a', 'z'.repeat(50000), 'b').length,
    inspect(new Map(Array.from({ length: 5000 }, (_, i) => [i, 'v'.repeat(50)]))).length,
  ]`);
  for (const size of sizes) assert.ok(size <= 10_001, `output of ${size} characters`);
  assert.equal(sandbox.run(`inspect('y'.repeat(20000)).endsWith('…')`), true);
});
