import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, type } from 'node:os';
import { dirname } from 'node:path';
import type { LoadResult } from './spec.ts';

export interface Row {
  name: string;
  backend: string;
  concurrency: number;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Process CPU (server, its thread pool, PGlite) per operation, load generator excluded. */
  cpuMsPerOp: number;
  /** The load generator's own thread, per operation. */
  loadgenCpuMsPerOp: number;
  errors: number;
  firstError?: string;
  /** Ops/s of the same-run baseline this row is compared with, and that baseline's name. */
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  /** Password login only: flows/s ÷ Keycloak's published 30 logins/s on 2 vCPU. */
  vsKeycloak?: number;
  /** Post-login actions: p50 and p99 of this row minus those of its baseline (same run). */
  addedP50Ms?: number;
  addedP99Ms?: number;
  target: string;
  /** null for a baseline row (nothing to meet). */
  met: boolean | null;
  /** The parts of `target` that were missed, when it has several (shown in the met column). */
  missed?: string[];
  notes?: string[];
  /** What the row measured: a load (the default), only `memory`, or nothing yet (`notes` say why). */
  measures?: 'load' | 'memory' | 'none';
  memory?: { mib: number; per: string };
}

export function row(
  name: string,
  backend: string,
  concurrency: number,
  result: LoadResult,
  rest: Pick<Row, 'target' | 'met'> & Partial<Row>,
): Row {
  const ops = Math.max(result.ops, 1);
  return {
    name,
    backend,
    concurrency,
    ops: result.ops,
    opsPerSec: round(result.ops / (result.elapsedMs / 1000)),
    p50Ms: round(result.p50Ms),
    p95Ms: round(result.p95Ms),
    p99Ms: round(result.p99Ms),
    cpuMsPerOp: round((result.processCpuMs - result.loadgenCpuMs) / ops),
    loadgenCpuMsPerOp: round(result.loadgenCpuMs / ops),
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    ...rest,
  };
}

/** Three decimals: enough for milliseconds and ratios, short enough to read in the JSON. */
export const round = (value: number) => Math.round(value * 1000) / 1000;

/** The machine, with its 1-minute load average when the run started (the machines are shared). */
export function machine(loadAverage1m: number) {
  return {
    cpus: availableParallelism(),
    model: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${type()} ${release()} ${process.arch}`,
    loadAverage1m: round(loadAverage1m),
  };
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const rate = (value: number) => (value >= 100 ? fixed(value, 0) : fixed(value, 1));

function ratioCell(r: Row): string {
  const parts: string[] = [];
  if (r.ratio !== undefined) parts.push(`${fixed(r.ratio, 2)} × ${r.baselineName}`);
  if (r.vsKeycloak !== undefined) parts.push(`${fixed(r.vsKeycloak, 2)} × Keycloak`);
  if (r.addedP50Ms !== undefined) parts.push(`+p50 ${fixed(r.addedP50Ms, 2)} ms`);
  if (r.addedP99Ms !== undefined) parts.push(`+p99 ${fixed(r.addedP99Ms, 2)} ms`);
  return parts.join('; ') || '—';
}

/** The one table `pnpm bench` prints (markdown, ready for docs/benchmarks.md#latest). */
export function table(rows: Row[]): string {
  // The memory column appears only when a row measured memory.
  const withMemory = rows.some((r) => r.memory !== undefined);
  const header = [
    'scenario',
    'backend',
    'conc.',
    'ops/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'CPU ms/op',
    ...(withMemory ? ['memory'] : []),
    'ratio',
    'target',
    'met',
  ];
  const lines = rows.map((r) => {
    const load = (r.measures ?? 'load') === 'load';
    const cell = (text: string) => (load ? text : '—');
    return [
      r.name,
      r.backend,
      cell(String(r.concurrency)),
      cell(rate(r.opsPerSec)),
      cell(fixed(r.p50Ms, 1)),
      cell(fixed(r.p95Ms, 1)),
      cell(fixed(r.p99Ms, 1)),
      cell(fixed(r.cpuMsPerOp, 2)),
      ...(withMemory ? [r.memory ? `${fixed(r.memory.mib, 2)} MiB/${r.memory.per}` : '—'] : []),
      ratioCell(r),
      r.target,
      r.measures === 'none'
        ? 'not measured'
        : r.met === null
          ? '—'
          : r.met
            ? 'yes'
            : r.errors > 0
              ? `no (${r.errors} errors)`
              : r.missed?.length
                ? `no (${r.missed.join(', ')})`
                : 'no',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

export async function writeResults(path: string, document: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Written aside then renamed: an interrupted run never leaves half a file.
  await writeFile(`${path}.tmp`, `${JSON.stringify(document, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
