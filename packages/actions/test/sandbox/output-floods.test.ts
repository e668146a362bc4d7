import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../../src/index.ts';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, messages } from './helpers.ts';

// docs/security.md#8: output floods end in a bounded, clear result. Breaking an api limit fails the
// run as kind `limit` even when the script swallows the error; console output is truncated with a marker.
// Nothing here is about time, so the CPU budget is generous (a slow machine must not turn these into timeouts).
const fixture = useRuntime({ timeoutMs: 5000, cpuMs: 3000, memoryMb: 32, workers: 2 });

const TRUNCATED = '[log output truncated: later console output was dropped]';
const jsonBytes = (result: RunResult) => Buffer.byteLength(JSON.stringify(result));

describe('output floods', () => {
  test('a 10 MB claim fails the run as limit before the host parses it', async () => {
    const result = await fixture.run(
      handler(
        `try { api.idToken.setCustomClaim('https://t.example/big', 'x'.repeat(10 * 1024 * 1024)); } catch {}`,
      ),
    );
    const bytes = JSON.stringify(['https://t.example/big', 'x'.repeat(10 * 1024 * 1024)]).length;
    const message = `api.idToken.setCustomClaim: arguments are ${bytes} bytes; the limit is 262144 bytes per call`;
    assertFailed(result, 'limit', message);
    assert.deepEqual(result.commands, []);
    assert.deepEqual(messages(result), [`[tessera] ${message}`]);
    assert.ok(jsonBytes(result) < 2048, `${jsonBytes(result)} bytes`);
  });

  test('10 000 setCustomClaim calls with every error swallowed still fail the run as limit, with bounded notes', async () => {
    const result = await fixture.run(
      handler(`
        for (let i = 0; i < 10000; i++) {
          try { api.idToken.setCustomClaim('https://t.example/c' + i, i); } catch {}
        }
        console.log('the script went on');`),
    );
    assertFailed(result, 'limit', 'too many api calls: at most 1000 per execution');
    assert.equal(result.commands.length, 1000, 'the calls accepted before the limit');
    const notes = messages(result).filter((m) => m.startsWith('[tessera]'));
    // One note per refused call would be 9000 entries: notes stop at 100, the last one saying so.
    assert.equal(notes.length, 100);
    assert.equal(notes[0], '[tessera] too many api calls: at most 1000 per execution');
    assert.equal(notes.at(-1), '[tessera] later runtime notes were dropped');
    assert.equal(messages(result).at(-1), 'the script went on');
    assert.ok(jsonBytes(result) < 128 * 1024, `${jsonBytes(result)} bytes`);
  });

  test('a value nested 1000 levels deep fails the run as limit, caught or not', async () => {
    const result = await fixture.run(
      handler(`
        let value = 1;
        for (let i = 0; i < 1000; i++) value = { a: [value] };
        try { api.user.setAppMetadata('deep', value); } catch (error) { console.log('caught'); }
        api.idToken.setCustomClaim('https://t.example/after', 1);`),
    );
    const message = 'api.user.setAppMetadata: arguments are nested more than 32 levels deep';
    assertFailed(result, 'limit', message);
    assert.deepEqual(result.commands, []);
    // The later call is refused with the same limit (every call after a limit error fails).
    assert.deepEqual(messages(result), [`[tessera] ${message}`, 'caught', `[tessera] ${message}`]);
    assert.ok(jsonBytes(result) < 2048, `${jsonBytes(result)} bytes`);
  });

  test('a 1 MB deny reason fails the run as limit (and a 10 KB one too: reasons stop at 4 KB)', async () => {
    const huge = await fixture.run(handler(`api.access.deny('r'.repeat(1024 * 1024));`));
    assertFailed(
      huge,
      'limit',
      'api.access.deny: arguments are 1048580 bytes; the limit is 262144 bytes per call',
    );
    assert.ok(jsonBytes(huge) < 2048, `${jsonBytes(huge)} bytes`);
    const long = await fixture.run(handler(`api.access.deny('r'.repeat(10 * 1024));`));
    assertFailed(long, 'limit', 'api.access.deny: reason is 10240 bytes; the limit is 4096 bytes');
    assert.ok(jsonBytes(long) < 2048, `${jsonBytes(long)} bytes`);
  });

  test('100 MB of console.log completes with the output truncated at 256 KB and marked', async () => {
    const result = await fixture.run(
      handler(`
        const chunk = 'y'.repeat(1024 * 1024);
        for (let i = 0; i < 100; i++) console.log(chunk);
        console.log('after the flood');
        api.idToken.setCustomClaim('https://t.example/done', true);`),
    );
    assert.equal(result.outcome, 'completed');
    assert.equal(result.commands.length, 1, 'the script ran to its end');
    const lines = messages(result);
    assert.equal(lines.at(-1), TRUNCATED);
    assert.ok(!lines.includes('after the flood'));
    // Each kept line is cut at 8 KB and says so (the count is of what reached the host: the sandbox's
    // formatter already stops at 10 000 characters).
    const first = lines[0]!;
    assert.equal(first.slice(0, 8192), 'y'.repeat(8192));
    assert.match(first.slice(8192), /^… \[truncated \d+ characters\]$/);
    assert.ok(jsonBytes(result) < 300 * 1024, `${jsonBytes(result)} bytes`);
  });

  test('a million small console.log lines stop at 1000 entries, the last being the marker', async () => {
    const result = await fixture.run(handler('for (let i = 0; i < 1e6; i++) console.log(i);'));
    assert.equal(result.outcome, 'completed');
    assert.equal(result.logs.length, 1000);
    assert.equal(messages(result).at(-1), TRUNCATED);
    assert.deepEqual(messages(result).slice(0, 3), ['0', '1', '2']);
    assert.ok(jsonBytes(result) < 128 * 1024, `${jsonBytes(result)} bytes`);
  });
});
