// One real isolate per test file, with the stdlib installed exactly as the runtime concatenates it:
// `(<stdlib.js>)(host)`, the host's urlParse passed in as an isolated-vm callback. The library's exports
// become globals. The same test expressions also run on the host against Node's own implementations
// (runOnNode), so a test states "the sandbox answers what Node answers" without restating Node's output.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import querystring from 'node:querystring';
import * as nodeUrl from 'node:url';
import util from 'node:util';
import ivm from 'isolated-vm';
import { parseUrlForSandbox } from '../../../src/sandbox/host-url.ts';

export const STDLIB_SOURCE = readFileSync(new URL('../../../src/sandbox/stdlib.js', import.meta.url), 'utf8');

// Helpers defined identically in the sandbox and on the host. `caught` reports what a function threw as
// plain data; `describe` renders a value's structure (types, prototypes, own keys, identity of shared
// references) as JSON-able data, to compare clones without relying on either side's inspect.
const HELPERS = `
  const caught = (fn) => {
    try {
      fn();
      return { threw: false };
    } catch (err) {
      return {
        threw: true,
        name: err?.name,
        message: err?.message,
        code: err?.code,
        isError: err instanceof Error,
        constructorName: err?.constructor?.name,
      };
    }
  };
  const describe = (value, seen = new Map()) => {
    if (typeof value === 'bigint') return { bigint: String(value) };
    if (typeof value === 'number') return Object.is(value, -0) ? { number: '-0' } : { number: String(value) };
    if (value === undefined) return { undefined: true };
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return { ref: seen.get(value) };
    seen.set(value, seen.size);
    const proto = Object.getPrototypeOf(value);
    const out = {
      tag: Object.prototype.toString.call(value),
      proto: proto === null ? null : proto.constructor?.name,
      keys: Reflect.ownKeys(value).map(String),
    };
    if (value instanceof Date) out.time = String(value.getTime());
    else if (value instanceof RegExp) out.regexp = [value.source, value.flags, value.lastIndex];
    else if (value instanceof Map) out.entries = [...value].map(([k, v]) => [describe(k, seen), describe(v, seen)]);
    else if (value instanceof Set) out.values = [...value].map((v) => describe(v, seen));
    else if (value instanceof ArrayBuffer) out.bytes = [...new Uint8Array(value)];
    else if (ArrayBuffer.isView(value)) {
      out.view = [value.byteOffset, value.byteLength, describe(value.buffer, seen)];
    } else if (value instanceof Error) {
      out.error = [value.name, value.message, 'cause' in value ? describe(value.cause, seen) : 'no cause'];
    } else if (typeof value.valueOf === 'function' && value.valueOf() !== value) {
      out.primitive = describe(value.valueOf(), seen);
    }
    out.props = Object.keys(value).map((k) => [k, describe(value[k], seen)]);
    return out;
  };
`;

export interface Thrown {
  threw: boolean;
  name?: string;
  message?: string;
  code?: unknown;
  isError?: boolean;
  constructorName?: string;
}

export interface Sandbox {
  /** Evaluates an expression in the sandbox and returns a structured copy of its value. */
  run<T = unknown>(expression: string): T;
  /** Evaluates an expression in the sandbox and on Node, and asserts both give the same (normalised) result. */
  same(expression: string): void;
  dispose(): void;
}

export function createSandbox(): Sandbox {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  const install = context.evalSync(
    `(function (urlParse) {
      const lib = (${STDLIB_SOURCE})({ urlParse });
      for (const key of Object.keys(lib)) globalThis[key] = lib[key];
    })`,
    { reference: true },
  ) as ivm.Reference<(urlParse: unknown) => void>;
  install.applySync(undefined, [new ivm.Callback(parseUrlForSandbox)]);
  context.evalSync(`${HELPERS}; globalThis.caught = caught; globalThis.describe = describe;`);
  const run = <T>(expression: string): T =>
    context.evalSync(`(${expression})`, { copy: true, timeout: 20_000 }) as T;
  return {
    run,
    same(expression) {
      assert.deepEqual(normalise(run(expression)), normalise(runOnNode(expression)), expression);
    },
    dispose() {
      context.release();
      isolate.dispose();
    },
  };
}

const NODE_GLOBALS: Record<string, unknown> = {
  Buffer,
  TextEncoder,
  TextDecoder,
  atob,
  btoa,
  structuredClone,
  URL,
  URLSearchParams,
  format: util.format,
  inspect: util.inspect,
  querystring,
  url: { URL, URLSearchParams, parse: nodeUrl.parse, format: nodeUrl.format },
  timingSafeEqual,
};

/** Evaluates an expression on the host, with Node's implementations under the sandbox's global names. */
export function runOnNode<T = unknown>(expression: string): T {
  const names = Object.keys(NODE_GLOBALS);
  const evaluate = new Function(...names, `${HELPERS}; return (${expression});`);
  return evaluate(...names.map((name) => NODE_GLOBALS[name])) as T;
}

// Buffers, typed arrays and plain copies of them compare as byte lists; everything else as is.
function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value))
    return { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

/** Deterministic pseudo-random numbers (mulberry32), so fuzz cases are the same on every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
