import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import ivm from 'isolated-vm';
import { action, useRuntime } from '../runtime/helpers.ts';
import { HOSTILE_BUDGETS, lastJson } from './helpers.ts';

// docs/security.md#6 and docs/architecture.md#known-traps: nothing but copies crosses the wall. A host
// callback looks like `function () { [native code] }` inside the isolate, so the script hunts for native
// functions that a pristine isolate does not have at the same place, for isolated-vm's own classes
// (Reference, ExternalCopy…) and for property names that mention it, through every global, `api`,
// `event`, the allowed modules and instances of every class the sandbox adds, prototypes and symbols included.
const fixture = useRuntime(HOSTILE_BUDGETS);

interface Findings {
  natives: string[];
  hostKeys: string[];
  hostConstructors: string[];
  hostSource: string[];
  visited: number;
}

/** Breadth-first walk from `roots` (arrays of [path, value]) over own keys, accessors and prototypes. */
const WALKER = String(function walkForHostObjects(stages: Array<Array<[string, unknown]>>): Findings[] {
  const fnToString = Function.prototype.toString;
  const ownKeys = Reflect.ownKeys;
  const describe = Reflect.getOwnPropertyDescriptor;
  const protoOf = Reflect.getPrototypeOf;
  const HOST_CLASS = /^(Reference|ExternalCopy|Callback|NativeModule|Isolate|Context|Script)$/;
  const HOST_WORD = /ivm|isolated/i;
  // How V8 prints a function it implements natively (a built-in, a bound function or a host callback).
  const NATIVE = /^function [^(]*\(\) \{\s*\[native code\]\s*\}$/;
  const seen = new Set<unknown>();
  return stages.map((roots) => {
    const found: Findings = { natives: [], hostKeys: [], hostConstructors: [], hostSource: [], visited: 0 };
    const queue = roots.slice();
    for (let i = 0; i < queue.length; i++) {
      const [path, value] = queue[i] as [string, unknown];
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue;
      if (seen.has(value)) continue;
      seen.add(value);
      found.visited++;
      if (typeof value === 'function') {
        let source = '';
        try {
          source = fnToString.call(value);
        } catch {
          source = '';
        }
        if (NATIVE.test(source)) {
          found.natives.push(path);
          if (HOST_WORD.test(source) || source.includes('Callback')) found.hostSource.push(path);
        }
      }
      try {
        const holder = describe(value as object, 'constructor') ? value : protoOf(value as object);
        const ctor = holder ? describe(holder as object, 'constructor')?.value : undefined;
        const name = typeof ctor === 'function' ? describe(ctor, 'name')?.value : undefined;
        if (typeof name === 'string' && HOST_CLASS.test(name))
          found.hostConstructors.push(`${path} (${name})`);
      } catch {}
      let keys: Array<string | symbol> = [];
      try {
        keys = ownKeys(value as object);
      } catch {}
      for (const key of keys) {
        const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
        if (HOST_WORD.test(name)) found.hostKeys.push(`${path}.${name}`);
        let d: PropertyDescriptor | undefined;
        try {
          d = describe(value as object, key);
        } catch {}
        if (d === undefined) continue;
        if ('value' in d) queue.push([`${path}.${name}`, d.value]);
        if (d.get) queue.push([`${path}.${name}[get]`, d.get]);
        if (d.set) queue.push([`${path}.${name}[set]`, d.set]);
      }
      let proto: unknown = null;
      try {
        proto = protoOf(value as object);
      } catch {}
      queue.push([`${path}.__proto__`, proto]);
    }
    return found;
  });
});

/** Intrinsics no global leads to (reached through syntax), walked first in both isolates. */
const INTRINSIC_ROOTS = `[
  ['globalThis', globalThis],
  ['%GeneratorFunction%', Object.getPrototypeOf(function* () {})],
  ['%AsyncFunction%', Object.getPrototypeOf(async () => {})],
  ['%AsyncGeneratorFunction%', Object.getPrototypeOf(async function* () {})],
  ['%ArrayIteratorPrototype%', Object.getPrototypeOf([][Symbol.iterator]())],
  ['%StringIteratorPrototype%', Object.getPrototypeOf(''[Symbol.iterator]())],
  ['%MapIteratorPrototype%', Object.getPrototypeOf(new Map().entries())],
  ['%SetIteratorPrototype%', Object.getPrototypeOf(new Set().values())],
  ['%RegExpStringIteratorPrototype%', Object.getPrototypeOf(/a/[Symbol.matchAll](''))],
  ['%IteratorHelperPrototype%', Object.getPrototypeOf([].values().map((x) => x))],
  ['%WrapForValidIteratorPrototype%', Object.getPrototypeOf(Iterator.from({ next() {} }))],
  ['%ThrowTypeError%', Object.getOwnPropertyDescriptor(Function.prototype, 'caller').get],
  ['%Arguments%', (function () { return arguments; })()],
  ['%ErrorInstance%', new Error('x')],
]`;

/** Runs the walker in a fresh isolate with nothing of ours in it, plus `plant` (host objects set as globals). */
async function walkPristine(plant: Record<string, ivm.Transferable> = {}): Promise<Findings> {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = await isolate.createContext();
    for (const [name, value] of Object.entries(plant)) await context.global.set(name, value);
    const json = (await context.eval(`(() => JSON.stringify((${WALKER})([${INTRINSIC_ROOTS}])[0]))()`, {
      copy: true,
    })) as string;
    return JSON.parse(json) as Findings;
  } finally {
    isolate.dispose();
  }
}

let pristine: Findings;
before(async () => {
  pristine = await walkPristine();
});

describe('no host objects in the sandbox', () => {
  test('the walker finds host objects when there are some (a pristine isolate with planted ones)', async () => {
    assert.deepEqual([pristine.hostKeys, pristine.hostConstructors, pristine.hostSource], [[], [], []]);
    assert.ok(pristine.natives.length > 500, `${pristine.natives.length} built-in functions`);
    const planted = await walkPristine({
      callback: new ivm.Callback(() => 1),
      reference: new ivm.Reference({ secret: 1 }),
      copy: new ivm.ExternalCopy({ a: 1 }),
      _ivmHandle: 1,
    });
    const extra = planted.natives.filter((path) => !pristine.natives.includes(path));
    assert.ok(extra.includes('globalThis.callback'), JSON.stringify(extra));
    assert.ok(extra.includes('globalThis.reference.__proto__.applySync'), JSON.stringify(extra));
    assert.deepEqual(planted.hostConstructors.sort(), [
      'globalThis.copy (ExternalCopy)',
      'globalThis.copy.__proto__ (ExternalCopy)',
      'globalThis.reference (Reference)',
      'globalThis.reference.__proto__ (Reference)',
    ]);
    assert.deepEqual(planted.hostKeys, ['globalThis._ivmHandle']);
  });

  test('every global, api, event, module and sandbox class instance holds only built-ins and sandbox code', async () => {
    const code = `
      const moduleArguments = arguments;
      const walk = ${WALKER};
      exports.onExecutePostLogin = async (event, api) => {
        // Globals the sandbox builds lazily (URL, Buffer…) are accessors until first read: read them all.
        for (const name of Object.getOwnPropertyNames(globalThis)) {
          try { void globalThis[name]; } catch {}
        }
        let refusedFetch;
        try { await fetch('http://127.0.0.1:9/'); } catch (error) { refusedFetch = error; }
        let hostError;
        try { require('crypto').createHash('no-such-hash').update('x').digest(); } catch (error) { hostError = error; }
        const intrinsics = ${INTRINSIC_ROOTS};
        const sandbox = [
          ['api', api],
          ['event', event],
          ['moduleArguments', moduleArguments],
          ['handlerArguments', arguments],
          ['require(crypto)', require('crypto')],
          ['require(url)', require('url')],
          ['require(util)', require('util')],
          ['require(querystring)', require('querystring')],
          ['new URL', new URL('https://a.example/p?q=1#h')],
          ['new URLSearchParams', new URLSearchParams('a=1&b=2')],
          ['Buffer.from', Buffer.from('x')],
          ['new TextEncoder', new TextEncoder()],
          ['new TextDecoder', new TextDecoder()],
          ['new Headers', new Headers({ a: '1' })],
          ['new Response', new Response('x', { headers: { a: '1' } })],
          ['new AbortController', new AbortController()],
          ['createHash', require('crypto').createHash('sha256')],
          ['createHmac', require('crypto').createHmac('sha256', 'k')],
          ['url.parse', require('url').parse('https://a.example/p?q=1', true)],
          ['querystring.parse', require('querystring').parse('a=1&a=2')],
          ['refused fetch error', refusedFetch],
          ['host callback error', hostError],
          ['structuredClone', structuredClone({ d: new Date(0), m: new Map([[1, 2]]) })],
        ];
        const [core, added] = walk([intrinsics, sandbox]);
        const builtins = new Set(${JSON.stringify(pristine.natives)});
        console.log(JSON.stringify({
          unexpectedNatives: [...core.natives.filter((path) => !builtins.has(path)), ...added.natives],
          hostKeys: [...core.hostKeys, ...added.hostKeys],
          hostConstructors: [...core.hostConstructors, ...added.hostConstructors],
          hostSource: [...core.hostSource, ...added.hostSource],
          visited: [core.visited, added.visited],
        }));
      };`;
    const result = await fixture.run([action(code, { name: 'walker' })]);
    assert.equal(result.outcome, 'completed', JSON.stringify(result).slice(0, 1000));
    const found = lastJson<{
      unexpectedNatives: string[];
      hostKeys: string[];
      hostConstructors: string[];
      hostSource: string[];
      visited: [number, number];
    }>(result);
    assert.deepEqual(
      {
        unexpectedNatives: found.unexpectedNatives,
        hostKeys: found.hostKeys,
        hostConstructors: found.hostConstructors,
        hostSource: found.hostSource,
      },
      { unexpectedNatives: [], hostKeys: [], hostConstructors: [], hostSource: [] },
    );
    // The walk covered the realm (more objects than the pristine one) and the sandbox's own values.
    assert.ok(found.visited[0] > pristine.visited, `visited ${found.visited}`);
    assert.ok(found.visited[1] > 100, `visited ${found.visited}`);
  });
});
