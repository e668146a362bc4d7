import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeArgs } from '../../src/commands/decode-args.ts';

const LIMITS = { maxArgsBytes: 256 * 1024, maxDepth: 32 };
const MALFORMED = { ok: false, message: 'arguments are malformed', limit: false };

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

describe('decodeArgs', () => {
  it('parses the arguments and restores undefined ones from the mask', () => {
    assert.deepEqual(decodeArgs('["a",null,{"b":[1]}]', 0b010, LIMITS), {
      ok: true,
      args: ['a', undefined, { b: [1] }],
    });
    assert.deepEqual(decodeArgs('["a",null]', 0, LIMITS), { ok: true, args: ['a', null] });
    assert.deepEqual(decodeArgs('[]', 0, LIMITS), { ok: true, args: [] });
  });

  it('reads the mask the stub makes for argument 31 (a negative 32-bit number)', () => {
    const args = new Array(32).fill(0);
    args[31] = null;
    const result = decodeArgs(JSON.stringify(args), 1 << 31, LIMITS);
    assert.equal(result.ok, true);
    assert.equal((result as { args: unknown[] }).args[31], undefined);
  });

  it('refuses a mask that lies about the arguments', () => {
    assert.deepEqual(decodeArgs('["a"]', 0b1, LIMITS), MALFORMED);
    assert.deepEqual(decodeArgs('[null]', 0b10, LIMITS), MALFORMED);
    assert.deepEqual(decodeArgs('[null]', 0.5, LIMITS), MALFORMED);
    assert.deepEqual(decodeArgs('[null]', 2 ** 40, LIMITS), MALFORMED);
    assert.deepEqual(decodeArgs('[null]', Number.NaN, LIMITS), MALFORMED);
  });

  it('refuses what is not a JSON array of at most 32 arguments', () => {
    for (const json of ['{"a":1}', '"x"', 'nul', '', '[1,]', JSON.stringify(new Array(33).fill(1))]) {
      assert.deepEqual(decodeArgs(json, 0, LIMITS), MALFORMED, json);
    }
    assert.deepEqual(decodeArgs(42 as unknown as string, 0, LIMITS), MALFORMED);
  });

  it('refuses oversized arguments before parsing them, as a limit', () => {
    const json = JSON.stringify(['x'.repeat(300 * 1024)]);
    assert.deepEqual(decodeArgs(json, 0, LIMITS), {
      ok: false,
      message: 'arguments are 307204 bytes; the limit is 262144 bytes per call',
      limit: true,
    });
    // Bytes, not characters: 100 000 three-byte characters are 300 000 bytes.
    assert.equal(decodeArgs(JSON.stringify(['€'.repeat(100_000)]), 0, LIMITS).ok, false);
  });

  it('allows 32 levels of nesting in an argument and refuses 33 or 1000, as a limit', () => {
    assert.equal(decodeArgs(`[${nested(32)}]`, 0, LIMITS).ok, true);
    const deep = { ok: false, message: 'arguments are nested more than 32 levels deep', limit: true };
    assert.deepEqual(decodeArgs(`[${nested(33)}]`, 0, LIMITS), deep);
    assert.deepEqual(decodeArgs(`[${'['.repeat(1000)}${']'.repeat(1000)}]`, 0, LIMITS), deep);
  });

  it('does not count brackets inside strings as nesting', () => {
    const json = JSON.stringify(['[[[[{{{{'.repeat(10), 'a\\"[[[[']);
    assert.equal(decodeArgs(json, 0, LIMITS).ok, true);
  });

  it('refuses __proto__, constructor and prototype keys anywhere, naming where', () => {
    const cases: Array<[string, string, string]> = [
      ['[{"__proto__":{"x":1}}]', '__proto__', 'args[0]'],
      ['["k",{"a":[{"constructor":{}}]}]', 'constructor', 'args[1].a[0]'],
      ['["k",{"deep":{"er":{"prototype":1}}}]', 'prototype', 'args[1].deep.er'],
    ];
    for (const [json, key, at] of cases) {
      assert.deepEqual(decodeArgs(json, 0, LIMITS), {
        ok: false,
        message: `arguments contain the reserved key "${key}" at ${at}; __proto__, constructor and prototype cannot be used as keys`,
        limit: false,
      });
    }
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('accepts reserved words as string values', () => {
    assert.deepEqual(decodeArgs('["__proto__",{"k":"constructor"}]', 0, LIMITS), {
      ok: true,
      args: ['__proto__', { k: 'constructor' }],
    });
  });
});
