/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * CPU time spent from `warmupMs` from now, for `durationMs`: by the whole process (every thread,
 * the libuv pool included) and by the calling thread alone.
 */
export function cpuWindow(
  warmupMs: number,
  durationMs: number,
): Promise<{ processCpuMs: number; threadCpuMs: number }> {
  const ms = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
  return new Promise((resolve) => {
    setTimeout(() => {
      const atStart = { process: process.cpuUsage(), thread: process.threadCpuUsage() };
      setTimeout(() => {
        resolve({
          processCpuMs: ms(process.cpuUsage(atStart.process)),
          threadCpuMs: ms(process.threadCpuUsage(atStart.thread)),
        });
      }, durationMs);
    }, warmupMs);
  });
}

/** Latencies (ms, any order) → the figures every row reports. */
export function summarize(latencies: number[]) {
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}
