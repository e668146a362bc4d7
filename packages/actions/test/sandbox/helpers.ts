import assert from 'node:assert/strict';
import type { FailureKind, RunResult } from '../../src/index.ts';
import { handler, type RuntimeFixture } from '../runtime/helpers.ts';

export type FailedRun = Extract<RunResult, { outcome: 'failed' }>;

/** Small budgets keep a hostile script's suite fast; each file may override one of them. */
export const HOSTILE_BUDGETS = { timeoutMs: 1500, cpuMs: 500, memoryMb: 32, workers: 2 } as const;

/** Asserts the run failed as a value of `kind` with exactly `message` (or matching it), and returns it. */
export function assertFailed(result: RunResult, kind: FailureKind, message: string | RegExp): FailedRun {
  assert.equal(
    result.outcome,
    'failed',
    `expected a failed run, got ${JSON.stringify(result).slice(0, 500)}`,
  );
  const failed = result as FailedRun;
  assert.equal(failed.kind, kind, failed.message);
  if (typeof message === 'string') assert.equal(failed.message, message);
  else assert.match(failed.message, message);
  return failed;
}

/** An action that proves the sandbox still serves a tenant: it records the tenant id as a claim. */
export const plainAction = (tenantId: string) =>
  handler(
    `await new Promise((resolve) => setTimeout(resolve, 1)); api.idToken.setCustomClaim('https://tessera.test/tenant', ${JSON.stringify(tenantId)});`,
  );

/** Runs `plainAction` for `tenantId` and asserts it completed with its own claim only. */
export async function assertServes(fixture: RuntimeFixture, tenantId: string): Promise<void> {
  const result = await fixture.run(plainAction(tenantId), { tenantId });
  assertCompletedFor(result, tenantId);
}

export function assertCompletedFor(result: RunResult, tenantId: string): void {
  assert.equal(result.outcome, 'completed', JSON.stringify(result).slice(0, 500));
  assert.deepEqual(
    result.commands.map((command) => ({ ...command, action: undefined })),
    [
      {
        action: undefined,
        type: 'idToken.setCustomClaim',
        key: 'https://tessera.test/tenant',
        value: tenantId,
      },
    ],
  );
}

/** The messages of a run's console output, in order. */
export const messages = (result: RunResult) => result.logs.map((entry) => entry.message);

/** The last console line parsed as JSON (scripts that report what they found print one). */
export function lastJson<T>(result: RunResult): T {
  const line = result.logs.at(-1)?.message;
  assert.ok(line !== undefined, `no console output: ${JSON.stringify(result).slice(0, 500)}`);
  return JSON.parse(line) as T;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
