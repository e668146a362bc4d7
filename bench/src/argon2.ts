import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { hashPassword } from '@tessera/storage';
import type { LoadResult } from './spec.ts';
import { cpuWindow, summarize } from './stats.ts';

/**
 * The password-login ceiling: `hashPassword` (argon2id with the login parameters, on the libuv thread
 * pool) kept busy with one hash in flight per CPU, from this thread (it only waits).
 */
export async function argon2Baseline(options: { warmupMs: number; durationMs: number }): Promise<LoadResult> {
  const from = performance.now() + options.warmupMs;
  const until = from + options.durationMs;
  const window = cpuWindow(options.warmupMs, options.durationMs);
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: availableParallelism() }, async (_, i) => {
      while (performance.now() < until) {
        const began = performance.now();
        await hashPassword(`correct horse battery staple ${i}`);
        const ended = performance.now();
        if (ended >= from && ended <= until) latencies.push(ended - began);
      }
    }),
  );
  const { processCpuMs } = await window;
  return { ...summarize(latencies), errors: 0, elapsedMs: options.durationMs, processCpuMs, loadgenCpuMs: 0 };
}
