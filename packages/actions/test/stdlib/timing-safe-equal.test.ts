import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSandbox } from './support/sandbox.ts';

const sandbox = createSandbox();
after(() => sandbox.dispose());

test('timingSafeEqual compares the bytes of any buffer-like pair as Node does', () => {
  sandbox.same(`[
    timingSafeEqual(Buffer.from('secret'), Buffer.from('secret')),
    timingSafeEqual(Buffer.from('secret'), Buffer.from('secreT')),
    timingSafeEqual(new Uint8Array([1, 2]), Buffer.from([1, 2])),
    timingSafeEqual(new Uint16Array([0x0201]), new Uint8Array([1, 2])),
    timingSafeEqual(new Uint8Array([1, 2]).buffer, new DataView(new Uint8Array([1, 2]).buffer)),
    timingSafeEqual(Buffer.from('xxsecretxx').subarray(2, 8), Buffer.from('secret')),
    timingSafeEqual(new Uint8Array(0), new Uint8Array(0)),
  ]`);
});

test('buffers of different byte lengths throw the RangeError Node throws', () => {
  sandbox.same(
    `[caught(() => timingSafeEqual(Buffer.from('a'), Buffer.from('ab'))), caught(() => timingSafeEqual(new Uint16Array(1), new Uint8Array(1)))]`,
  );
  assert.deepEqual(sandbox.run(`caught(() => timingSafeEqual(Buffer.alloc(1), Buffer.alloc(2)))`), {
    threw: true,
    name: 'RangeError',
    message: 'Input buffers must have the same byte length',
    code: 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH',
    isError: true,
    constructorName: 'RangeError',
  });
});

test('arguments that are not buffers throw the TypeError Node throws', () => {
  sandbox.same(
    `[caught(() => timingSafeEqual('a', Buffer.from('a'))), caught(() => timingSafeEqual(Buffer.from('a'), [97])), caught(() => timingSafeEqual())]`,
  );
});
