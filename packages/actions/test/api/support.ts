import assert from 'node:assert/strict';
import type { Command, PostLoginEvent, RunInput, RunResult } from '../../src/index.ts';
import { action, handler, type RuntimeFixture } from '../runtime/helpers.ts';

/** The name of the one action these tests run: every recorded command carries it. */
export const ACTION = 'under-test';

export type RunOptions = Partial<RunInput> & {
  patch?: (event: PostLoginEvent) => void;
  secrets?: Record<string, string>;
};

/** Runs `body` as the `onExecutePostLogin` of one action named ACTION (its line 1 is the body's first line, line 2 of the module). */
export function runBody(fixture: RuntimeFixture, body: string, options: RunOptions = {}): Promise<RunResult> {
  return runCode(fixture, handler(body), options);
}

/** Runs a whole module as the one action named ACTION. */
export function runCode(fixture: RuntimeFixture, code: string, options: RunOptions = {}): Promise<RunResult> {
  const { secrets, ...rest } = options;
  return fixture.run([action(code, { name: ACTION, secrets: secrets ?? {} })], rest);
}

/** The commands an ACTION call records, as the runtime reports them. */
export const recorded = (...bodies: Array<Record<string, unknown>>): Command[] =>
  bodies.map((body) => ({ action: ACTION, ...body }) as Command);

/** The run completed (not paused, denied or failed) and recorded exactly `commands`. */
export function assertCompleted(result: RunResult, commands: Command[]): void {
  assert.equal(result.outcome, 'completed', describe(result));
  assert.equal(result.outcome === 'completed' ? result.pause : undefined, undefined, 'unexpected pause');
  assert.deepEqual(result.commands, commands);
}

/** The log messages of a run, in order. */
export const messages = (result: RunResult) => result.logs.map((entry) => entry.message);

/**
 * The action threw: the run failed as `runtime`, naming ACTION, with exactly `message` followed by the
 * position of the throwing call in the tenant's code (`(action.js:<line>:<column>)`).
 */
export function assertThrew(result: RunResult, message: string, line = 2): void {
  assert.equal(result.outcome, 'failed', describe(result));
  if (result.outcome !== 'failed') return;
  assert.equal(result.kind, 'runtime', result.message);
  assert.equal(result.action?.name, ACTION);
  const where = / \(action\.js:(\d+):\d+\)$/.exec(result.message);
  assert.ok(where, `no position in ${JSON.stringify(result.message)}`);
  assert.equal(result.message.slice(0, where.index), message);
  assert.equal(Number(where[1]), line, result.message);
}

/**
 * An invalid call: uncaught, it fails the action with exactly `message`; caught by the tenant, the error
 * carries the same message, nothing is recorded for it and the action goes on to record its next call.
 */
export async function assertRefused(
  fixture: RuntimeFixture,
  call: string,
  message: string,
  options: RunOptions & { errorName?: string } = {},
): Promise<void> {
  const { errorName, ...runOptions } = options;
  // The run's message names the error class, except for a plain Error (as Node prints `throw new Error`).
  const reported = errorName === undefined ? message : `${errorName}: ${message}`;
  assertThrew(await runBody(fixture, `${call};`, runOptions), reported);
  const caught = await runBody(
    fixture,
    `try { ${call}; } catch (error) { console.log(error instanceof Error, error.message); }
     api.idToken.setCustomClaim('https://example.com/after', true);`,
    runOptions,
  );
  assertCompleted(
    caught,
    recorded({ type: 'idToken.setCustomClaim', key: 'https://example.com/after', value: true }),
  );
  assert.deepEqual(messages(caught), [`true ${message}`]);
}

function describe(result: RunResult): string {
  return result.outcome === 'failed' ? `${result.kind}: ${result.message}` : result.outcome;
}
