import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ActionsRuntime,
  type ActionToRun,
  createActionsRuntime,
  defaultPostLoginEvent,
  type RunResult,
} from '@tessera/actions';
import { createMemoryKv } from '@tessera/storage';
import { cpuMsWith, rssMiB } from './actions-proc.ts';
import type { LoadResult } from './spec.ts';
import { summarize } from './stats.ts';

/** The one-line action docs/benchmarks.md#sandbox-alone runs. */
export const ONE_LINE =
  "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://x/y', 1); };";

export const oneLine = (tenant: string, versionId = 'v1'): ActionToRun => ({
  id: `act_${tenant}`,
  name: 'one line',
  versionId,
  code: ONE_LINE,
  secrets: {},
});

/** A runtime on the in-process KV store, started and ready; `use` runs with it, then it is closed. */
export async function withRuntime<T>(
  workers: number,
  use: (runtime: ActionsRuntime) => Promise<T>,
): Promise<T> {
  const kv = createMemoryKv();
  const runtime = createActionsRuntime({ workers, kv });
  try {
    await runtime.ready();
    return await use(runtime);
  } finally {
    await runtime.close();
    await kv.close();
  }
}

/** Why a run is not the expected completed run with `commands` commands (undefined when it is). */
export function problemOf(result: RunResult, commands = 1): string | undefined {
  if (result.outcome === 'failed') return `${result.kind}: ${result.message}`;
  if (result.outcome !== 'completed' || result.commands.length !== commands)
    return `unexpected ${result.outcome} run with ${result.commands.length} commands`;
  return undefined;
}

/**
 * Trigger executions through `runtime.run`, `callers` closed loops (one run in flight each) for
 * warmup + duration. CPU counts this process (callers and the runtime's host side: validation, IPC)
 * and the worker processes, read at the edges of the measured window.
 */
export async function sandboxThroughput(
  runtime: ActionsRuntime,
  callers: number,
  timing: { warmupMs: number; durationMs: number },
): Promise<LoadResult> {
  const event = defaultPostLoginEvent();
  const action = oneLine('bench');
  const pids = runtime.workerPids();
  const from = performance.now() + timing.warmupMs;
  const until = from + timing.durationMs;
  let cpuAtStart = 0;
  let cpuAtEnd = 0;
  const edges = [
    sleep(timing.warmupMs).then(() => {
      cpuAtStart = cpuMsWith(pids);
    }),
    sleep(timing.warmupMs + timing.durationMs).then(() => {
      cpuAtEnd = cpuMsWith(pids);
    }),
  ];
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) {
        const began = performance.now();
        const result = await runtime.run({
          tenantId: 'bench',
          trigger: 'post-login',
          event,
          actions: [action],
        });
        const ended = performance.now();
        if (ended < from || ended > until) continue;
        const problem = problemOf(result);
        if (problem === undefined) latencies.push(ended - began);
        else {
          errors++;
          firstError ??= problem;
        }
      }
    }),
  );
  await Promise.all(edges);
  return {
    ...summarize(latencies),
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs: timing.durationMs,
    processCpuMs: cpuAtEnd - cpuAtStart,
    loadgenCpuMs: 0,
  };
}

/**
 * Memory an idle tenant costs: the workers' RSS with no tenant, then after one run for each of
 * `tenants` tenants (each its own action id and version, so its own isolate and compiled script),
 * the growth divided by the tenants. Runs go `workers` at a time, so every worker holds some.
 */
export async function idleTenantMiB(runtime: ActionsRuntime, tenants: number, workers: number) {
  const pids = runtime.workerPids();
  const event = defaultPostLoginEvent();
  const before = rssMiB(pids);
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < tenants; i += workers) {
    const batch = Array.from({ length: Math.min(workers, tenants - i) }, (_, j) => `tenant-${i + j}`);
    const results = await Promise.all(
      batch.map((tenant) =>
        runtime.run({
          tenantId: tenant,
          trigger: 'post-login',
          event,
          actions: [oneLine(tenant, `v_${tenant}`)],
        }),
      ),
    );
    for (const result of results) {
      const problem = problemOf(result);
      if (problem !== undefined) {
        errors++;
        firstError ??= problem;
      }
    }
  }
  // Let the workers' allocators settle (isolated-vm frees contexts asynchronously) before reading.
  await sleep(500);
  const after = rssMiB(pids);
  return { perTenantMiB: (after - before) / tenants, beforeMiB: before, afterMiB: after, errors, firstError };
}
