import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { format } from 'node:util';
import { runBody } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

const logged = async (body: string) =>
  (await runBody(fixture, body)).logs.map((entry) => [entry.level, entry.message]);

describe('console', () => {
  test('each method logs at its level; trace is debug, dir and table are log', async () => {
    assert.deepEqual(
      await logged(
        `console.log('l'); console.info('i'); console.warn('w'); console.error('e'); console.debug('d');
         console.trace('t'); console.dir({ x: 1 }); console.table([{ a: 1 }]);`,
      ),
      [
        ['log', 'l'],
        ['info', 'i'],
        ['warn', 'w'],
        ['error', 'e'],
        ['debug', 'd'],
        ['debug', 't'],
        ['log', '{ x: 1 }'],
        ['log', '[ { a: 1 } ]'],
      ],
    );
  });

  test('format directives work as in Node (%s %d %i %f %j %O %% %c)', async () => {
    const [[, message] = []] = await logged(
      `console.log('%s|%d|%i|%f|%j|%O|%%|%c.', 'str', 42.5, 42.5, '1.5', { a: 1 }, { c: { d: { e: { f: 1 } } } }, 'color: red');`,
    );
    assert.equal(
      message,
      format(
        '%s|%d|%i|%f|%j|%O|%%|%c.',
        'str',
        42.5,
        42.5,
        '1.5',
        { a: 1 },
        { c: { d: { e: { f: 1 } } } },
        'color: red',
      ),
    );
  });

  test('values are inspected as Node prints them', async () => {
    const values = `{ a: 1, b: 'x', c: [1, 2, 3], d: { e: null, f: undefined } }, [1, 'two', { three: 3 }], null, undefined, true, 5n, Symbol('s'), new Map([[1, 2]]), new Set([1]), new Date(0), /re/g, function named() {}`;
    const [[, message] = []] = await logged(`console.log(${values});`);
    assert.equal(
      message,
      format(
        { a: 1, b: 'x', c: [1, 2, 3], d: { e: null, f: undefined } },
        [1, 'two', { three: 3 }],
        null,
        undefined,
        true,
        5n,
        Symbol('s'),
        new Map([[1, 2]]),
        new Set([1]),
        new Date(0),
        /re/g,
        function named() {},
      ),
    );
  });

  test('several arguments are joined by spaces; a circular object does not break logging', async () => {
    assert.deepEqual(
      await logged(`console.log('a', 1, 'b'); const o = {}; o.self = o; console.log(o); console.log();`),
      [
        ['log', 'a 1 b'],
        ['log', '<ref *1> { self: [Circular *1] }'],
        ['log', ''],
      ],
    );
  });

  test('console.assert logs only a failed assertion, as Node words it', async () => {
    assert.deepEqual(
      await logged(
        `console.assert(true, 'fine'); console.assert(false, 'bad %s', 'thing'); console.assert(0, { x: 1 }); console.assert(false);`,
      ),
      [
        ['error', 'Assertion failed: bad thing'],
        ['error', 'Assertion failed { x: 1 }'],
        ['error', 'Assertion failed'],
      ],
    );
  });

  test('each line carries the time it was written', async () => {
    const result = await runBody(
      fixture,
      `console.log('before'); await new Promise((r) => setTimeout(r, 60)); console.log('after');`,
    );
    const [first, second] = result.logs;
    assert.ok(first && second && second.at - first.at >= 50, JSON.stringify(result.logs));
  });
});
