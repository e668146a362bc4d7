import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InvalidJsonError,
  InvalidRequestError,
  jsonDepth,
  MAX_JSON_DEPTH,
  parseJsonBody,
} from '../src/index.ts';

// docs/security.md#50: the one bounded parser every JSON entry point uses.

const arrays = (levels: number, leaf = '1') => '['.repeat(levels) + leaf + ']'.repeat(levels);
const objects = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

/** Asserts that `text` is refused for `problem`, as a 400 invalid_request. */
const refuses = (text: string, problem: InvalidJsonError['problem'], maxDepth?: number) =>
  assert.throws(
    () => parseJsonBody(text, maxDepth),
    (error: unknown) => {
      assert.ok(error instanceof InvalidJsonError, `expected InvalidJsonError, got ${error}`);
      assert.ok(error instanceof InvalidRequestError);
      assert.equal(error.problem, problem);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'invalid_request');
      return true;
    },
  );

describe('jsonDepth', () => {
  it('counts objects and arrays, mixed, and nothing for scalars', () => {
    assert.equal(jsonDepth('1'), 0);
    assert.equal(jsonDepth('"text"'), 0);
    assert.equal(jsonDepth('{}'), 1);
    assert.equal(jsonDepth('[{"a":[{"b":[]}]}]'), 5);
    assert.equal(jsonDepth('[[1],[[2]],[3]]'), 3, 'the deepest branch, not the sum of siblings');
    assert.equal(jsonDepth(arrays(50_000)), 50_000);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    assert.equal(jsonDepth('{"a":"[[[{{{"}'), 1);
    assert.equal(jsonDepth('["\\"[[[", "\\\\", ["]]]"]]'), 2, 'an escaped quote does not end the string');
    assert.equal(jsonDepth('["\\\\"]'), 1, 'an escaped backslash does not escape the closing quote');
    assert.equal(jsonDepth('{"k\\u005b":"\\u007b"}'), 1, '\\u escapes are text');
    assert.equal(jsonDepth(`["${'['.repeat(10_000)}"]`), 1);
  });

  it('stops counting once past the bound it is given', () => {
    assert.equal(jsonDepth(arrays(50_000), 64), 65);
    assert.equal(jsonDepth(arrays(64), 64), 64);
  });
});

describe('parseJsonBody', () => {
  it(`accepts nesting exactly at the limit (${MAX_JSON_DEPTH}) and refuses one level more`, () => {
    assert.deepEqual(parseJsonBody(arrays(3)), [[[1]]]);
    assert.equal(jsonDepth(JSON.stringify(parseJsonBody(arrays(MAX_JSON_DEPTH)))), MAX_JSON_DEPTH);
    assert.equal(jsonDepth(JSON.stringify(parseJsonBody(objects(MAX_JSON_DEPTH)))), MAX_JSON_DEPTH);
    refuses(arrays(MAX_JSON_DEPTH + 1), 'depth');
    refuses(objects(MAX_JSON_DEPTH + 1), 'depth');
  });

  it('counts arrays and objects mixed toward the same limit', () => {
    const mixed = (levels: number) =>
      Array.from({ length: levels }, (_, i) => (i % 2 === 0 ? '{"k":' : '[')).join('') +
      'null' +
      Array.from({ length: levels }, (_, i) => (i % 2 === 0 ? '}' : ']'))
        .reverse()
        .join('');
    assert.ok(parseJsonBody(mixed(MAX_JSON_DEPTH)));
    refuses(mixed(MAX_JSON_DEPTH + 1), 'depth');
  });

  it('refuses 50 000 levels quickly, whether the text is closed or not', () => {
    const started = performance.now();
    refuses(arrays(50_000), 'depth');
    refuses(objects(50_000), 'depth');
    refuses('['.repeat(50_000), 'depth');
    assert.ok(performance.now() - started < 1000, 'a linear scan, not a parse');
  });

  it('names the limit in the description', () => {
    assert.throws(() => parseJsonBody(arrays(MAX_JSON_DEPTH + 1)), {
      message: `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}.`,
    });
    assert.throws(() => parseJsonBody(arrays(4), 3), {
      message: 'The request body nests objects and arrays more than 3 levels deep; the limit is 3.',
    });
  });

  it('keeps strings holding brackets, quotes and escapes intact and does not count them', () => {
    const text = JSON.stringify({ a: '['.repeat(1000), b: '"}]\\', c: '\u005b\u007b' });
    assert.deepEqual(parseJsonBody(text), { a: '['.repeat(1000), b: '"}]\\', c: '[{' });
    const deepInString = JSON.stringify({ s: arrays(MAX_JSON_DEPTH + 10) });
    assert.deepEqual(parseJsonBody(deepInString), { s: arrays(MAX_JSON_DEPTH + 10) });
  });

  it('refuses malformed JSON as a syntax problem', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":1',
      '[1,]',
      "{'a':1}",
      'undefined',
      '{"a":1}}',
      ']]]][[[[',
      '"\\x"',
    ]) {
      refuses(text, 'syntax');
    }
  });

  it('refuses __proto__ and constructor.prototype keys at any depth, escaped or not', () => {
    refuses('{"__proto__":{"polluted":true}}', 'prototype');
    refuses('{"a":[{"b":{"__proto__":{}}}]}', 'prototype');
    refuses('{"\\u005f_proto__":{"polluted":true}}', 'prototype');
    refuses('{"constructor":{"prototype":{"polluted":true}}}', 'prototype');
    refuses('[{"\\u0063onstructor":{"prototype":{}}}]', 'prototype');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('accepts what only looks like a prototype key', () => {
    assert.deepEqual(parseJsonBody('{"constructor":"x","proto":1,"v":"__proto__"}'), {
      constructor: 'x',
      proto: 1,
      v: '__proto__',
    });
    assert.deepEqual(parseJsonBody('{"constructor":{"name":"x"}}'), { constructor: { name: 'x' } });
    assert.deepEqual(parseJsonBody('{"city":"M\\u00fcnchen"}'), { city: 'München' });
  });

  it('parses scalars and ignores a byte order mark, as Fastify does', () => {
    assert.equal(parseJsonBody('42'), 42);
    assert.equal(parseJsonBody('null'), null);
    assert.deepEqual(parseJsonBody('\ufeff{"a":1}'), { a: 1 });
  });
});
