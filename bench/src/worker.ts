import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { virtualUser } from './flows.ts';
import type { LoadResult, LoadSpec } from './spec.ts';
import { cpuWindow, summarize } from './stats.ts';

/**
 * The load generator, in a worker thread so it never takes the server's event loop: `concurrency`
 * closed loops over one keep-alive pool. After a warmup, operations completed inside the measurement
 * window are counted and timed, and the process's and this thread's CPU time over the window are read.
 */
async function generate(spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(spec.target.origin, {
    connections: spec.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  try {
    const users = Array.from({ length: spec.concurrency }, (_, i) => virtualUser(spec, pool, i));
    await Promise.all(users.map((user) => user.setup?.()));

    const from = performance.now() + spec.warmupMs;
    const until = from + spec.durationMs;
    const window = cpuWindow(spec.warmupMs, spec.durationMs);
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    await Promise.all(
      users.map(async (user) => {
        while (performance.now() < until) {
          const began = performance.now();
          try {
            await user.run();
          } catch (error) {
            errors += 1;
            firstError ??= (error as Error).message;
            // A refresh chain whose token failed cannot go on; other loops try again.
            if (spec.kind === 'refresh') return;
            continue;
          }
          const ended = performance.now();
          if (ended >= from && ended <= until) latencies.push(ended - began);
        }
      }),
    );
    const { processCpuMs, threadCpuMs } = await window;
    return {
      ...summarize(latencies),
      errors,
      firstError,
      elapsedMs: spec.durationMs,
      processCpuMs,
      loadgenCpuMs: threadCpuMs,
    };
  } finally {
    await pool.close();
  }
}

generate(workerData as LoadSpec).then(
  (result) => parentPort!.postMessage({ result }),
  (error: Error) => parentPort!.postMessage({ error: error.stack ?? error.message }),
);
