import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messages, runBody } from '../api/support.ts';
import { useRuntime } from '../runtime/helpers.ts';

const fixture = useRuntime({ workers: 1 });

describe('timers', () => {
  test('callbacks fire by delay after synchronous code and microtasks', async () => {
    const result = await runBody(
      fixture,
      `const order = [];
       setTimeout(() => order.push('t60'), 60);
       setTimeout(() => order.push('t0'), 0);
       setTimeout(() => order.push('t20'), 20);
       setImmediate(() => order.push('immediate'));
       queueMicrotask(() => order.push('microtask'));
       Promise.resolve().then(() => order.push('then'));
       order.push('sync');
       await new Promise((resolve) => setTimeout(resolve, 100));
       console.log(order.join(' '));`,
    );
    assert.deepEqual(messages(result), ['sync microtask then t0 immediate t20 t60']);
  });

  test('delays are real: a 100 ms timer fires no earlier than 100 ms later', async () => {
    const result = await runBody(
      fixture,
      `const started = Date.now();
       const waited = await new Promise((resolve) => setTimeout(() => resolve(Date.now() - started), 100));
       // Date.now() has 1 ms steps and Node's own timers may land in the step before the 100th ms.
       console.log(waited >= 99 && waited < 1000);`,
    );
    assert.deepEqual(messages(result), ['true']);
  });

  test('clearTimeout cancels; extra arguments reach the callback', async () => {
    const result = await runBody(
      fixture,
      `const id = setTimeout(() => console.log('cancelled timer ran'), 10);
       clearTimeout(id);
       setTimeout((a, b) => console.log(a, b), 5, 'x', 2);
       await new Promise((resolve) => setTimeout(resolve, 40));`,
    );
    assert.deepEqual(messages(result), ['x 2']);
  });

  test('setInterval repeats until clearInterval', async () => {
    const result = await runBody(
      fixture,
      `let ticks = 0;
       await new Promise((resolve) => {
         const id = setInterval(() => { ticks++; if (ticks === 3) { clearInterval(id); resolve(); } }, 15);
       });
       await new Promise((resolve) => setTimeout(resolve, 60));
       console.log(ticks);`,
    );
    assert.deepEqual(messages(result), ['3']);
  });

  test('interleaved intervals and timeouts keep their order', async () => {
    // The run ends on the interval's second tick rather than at a fixed time, so a stalled machine
    // cannot cut it short: the ticks are due at 40 and at 40 ms after the first one ran, the timeout at
    // 60, and timers that fall due together fire in the order they were due.
    const result = await runBody(
      fixture,
      `const seen = [];
       await new Promise((resolve) => {
         let ticks = 0;
         const id = setInterval(() => {
           seen.push('i');
           if (++ticks === 2) { clearInterval(id); resolve(); }
         }, 40);
         setTimeout(() => seen.push('t60'), 60);
       });
       console.log(seen.join(''));`,
    );
    assert.deepEqual(messages(result), ['it60i']);
  });

  test('a string callback is never evaluated: it throws a TypeError', async () => {
    const result = await runBody(
      fixture,
      `try { setTimeout('alert(1)', 1); } catch (error) { console.log(error.name, error.message); }`,
    );
    assert.deepEqual(messages(result), ['TypeError The "callback" argument must be of type function']);
  });
});
