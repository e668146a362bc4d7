import { availableParallelism } from 'node:os';
import { coldStart } from './actions-cold-start.ts';
import { idleTenantMiB, sandboxThroughput, withRuntime } from './actions-sandbox.ts';
import { type Row, round, row } from './report.ts';

/** Concurrent callers of `runtime.run` in "sandbox alone" (each a closed loop). */
const CALLERS = 32;
const IDLE_TENANTS = 100;
const NO_LOAD = {
  ops: 0,
  errors: 0,
  elapsedMs: 1,
  p50Ms: 0,
  p95Ms: 0,
  p99Ms: 0,
  processCpuMs: 0,
  loadgenCpuMs: 0,
};

export const ACTIONS_NOTE =
  'Actions (sandbox alone, cold start): `runtime.run` of @tessera/actions called from this process, ' +
  'workers = CPU cores, no HTTP. CPU ms/op there is this process (callers, validation, IPC) plus the ' +
  'sandbox worker processes (/proc/<pid>/stat utime+stime, 10 ms ticks). Cold start: one run at a ' +
  'time, blocks of never-run versions (compile + fresh context) alternating with blocks of an ' +
  "already-run version (the baseline), so ops/s is one caller's rate; ratio = cold p50 ÷ warm p50. " +
  'Idle tenant: worker RSS growth after one run for each of 100 tenants, ÷ 100. Runs are not ' +
  'tenant-affine (each goes to the least busy worker), so a busy tenant holds one isolate per worker.';

interface ActionsBench {
  wanted(name: string): boolean;
  timing(): { warmupMs: number; durationMs: number };
  progress(message: string): void;
}

/**
 * The actions scenarios of docs/benchmarks.md#sandbox-alone that need no server (BENCH_ONLY names: sandbox, cold-start);
 * post-login actions over HTTP are measured with the server scenarios (post-login.ts).
 */
export async function benchActions({ wanted, timing, progress }: ActionsBench): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (r: Row) => {
    rows.push(r);
    if (r.measures === 'memory') progress(`${r.name}: ${r.memory?.mib} MiB per ${r.memory?.per}`);
    else if (r.measures !== 'none')
      progress(
        `${r.name}: ${r.opsPerSec.toFixed(1)}/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`,
      );
    return r;
  };
  const workers = availableParallelism();
  const backend = `isolated-vm, ${workers} workers`;
  if (wanted('sandbox')) {
    await withRuntime(workers, async (runtime) => {
      const result = await sandboxThroughput(runtime, CALLERS, timing());
      const perSecond = result.ops / (result.elapsedMs / 1000);
      add(
        row('sandbox alone: one-line action', backend, CALLERS, result, {
          target: '≥ 5000/s',
          met: result.errors === 0 && perSecond >= 5000,
        }),
      );
    });
    // A runtime of its own: the throughput run's tenant must not count as one of the idle ones.
    await withRuntime(workers, async (runtime) => {
      const memory = await idleTenantMiB(runtime, IDLE_TENANTS, workers);
      add({
        ...row(
          'sandbox alone: idle tenant memory',
          backend,
          workers,
          { ...NO_LOAD, errors: memory.errors },
          {
            target: '≤ 4 MiB per idle tenant',
            met: memory.errors === 0 && memory.perTenantMiB <= 4,
            measures: 'memory',
            memory: { mib: round(memory.perTenantMiB), per: 'idle tenant' },
            notes: [
              `worker RSS ${round(memory.beforeMiB)} MiB with no tenant, ` +
                `${round(memory.afterMiB)} MiB after ${IDLE_TENANTS} tenants`,
            ],
          },
        ),
        ...(memory.firstError === undefined ? {} : { firstError: memory.firstError }),
      });
    });
  }
  if (wanted('cold-start')) {
    await withRuntime(workers, async (runtime) => {
      const { cold, warm, tenant } = await coldStart(runtime, timing());
      const baseline = add(
        row('action warm run (baseline)', backend, 1, warm, { target: 'baseline', met: null }),
      );
      const ratio = cold.p50Ms / warm.p50Ms;
      add(
        row('action cold start (new version)', backend, 1, cold, {
          baseline: baseline.opsPerSec,
          baselineName: 'warm p50',
          ratio: round(ratio),
          target: 'p50 ≤ 10 ms',
          met: cold.errors === 0 && cold.p50Ms <= 10,
        }),
      );
      add(
        row('action cold start, new tenant (new isolate)', backend, 1, tenant, {
          target: 'info (Cloudflare ~5 ms)',
          met: null,
          notes: ['a tenant never seen: new isolate, sandbox script, action compile, fresh context'],
        }),
      );
    });
  }
  return rows;
}
