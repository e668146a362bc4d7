import type { Upstream } from '../cluster.ts';
import type { MainProcess } from '../helpers.ts';
import type { Exchange, Recorder } from './recorder.ts';

/** One fault of the run, as measured. */
export interface Fault {
  name: string;
  startedAt: number;
  /** When it was lifted: the store back, the relay restored, the process started again. */
  endedAt: number;
  /** Milliseconds from `endedAt` until /ready answered 200, per process; undefined: it did not. */
  ready: Record<Upstream, number | undefined>;
  /** How soon each process must be ready again, from `endedAt`. */
  boundMs: number;
  /** The process this fault killed, while it was down: its connection errors are the fault's. */
  down?: { via: Upstream; from: number; to: number };
}

/** A fault's window: from the moment it struck until both processes were ready again, plus a second. */
function windowOf(fault: Fault): [number, number] {
  const ready = Math.max(fault.ready.a ?? fault.boundMs, fault.ready.b ?? fault.boundMs);
  return [fault.startedAt, fault.endedAt + ready + 1_000];
}

/** An answer (or its absence) the issue allows: 503 with Retry-After, or no answer from a killed process. */
function allowed(exchange: Exchange, faults: Fault[]): boolean {
  if (exchange.failure === 'timeout') return true; // counted by slowRequests
  if (exchange.failure === 'connection')
    return faults.some(
      ({ down }) =>
        down?.via === exchange.via &&
        exchange.startedAt + exchange.ms >= down.from &&
        exchange.startedAt <= down.to,
    );
  const status = exchange.status ?? 0;
  return status < 500 || (status === 503 && Boolean(exchange.retryAfter));
}

/**
 * Every error answer the issue does not allow, and every answer a client did not expect, grouped:
 * `<count>× <request>: <answer> (first at +<s>s)`.
 */
export function errorViolations(recorder: Recorder, faults: Fault[]): { count: number; groups: string[] } {
  const groups = new Map<string, { count: number; first: number }>();
  const add = (key: string, at: number) => {
    const group = groups.get(key) ?? { count: 0, first: at };
    group.count++;
    groups.set(key, group);
  };
  for (const e of recorder.exchanges.filter((exchange) => !allowed(exchange, faults))) {
    const answer = e.failure ?? `${e.status}${e.status === 503 ? ' without Retry-After' : ''}`;
    add(`${e.via} ${e.what}: ${answer} ${e.detail ?? ''}`.trimEnd(), e.startedAt);
  }
  for (const { at, what } of recorder.unexpected) add(`unexpected: ${what}`, at);
  return {
    count: [...groups.values()].reduce((sum, group) => sum + group.count, 0),
    groups: [...groups].map(
      ([key, { count, first }]) => `${count}× ${key} (first at ${recorder.time(first)})`,
    ),
  };
}

export function slowRequests(recorder: Recorder): string[] {
  return recorder.exchanges
    .filter((exchange) => exchange.failure === 'timeout')
    .map((e) => `${recorder.time(e.startedAt)} ${e.via} ${e.what}: no answer within ${e.ms} ms`);
}

/**
 * One row per phase (steady load, each fault, the checks after): what it cost, measured. A request
 * is a fault's when it was under way at any moment of the fault's window (in flight when it struck
 * included); a session, when its failed attempts and retries were.
 */
export function summary(recorder: Recorder, faults: Fault[], loadEndedAt: number): string {
  const phaseOf = (from: number, to = from) => {
    if (from > loadEndedAt) return 'checks after the faults';
    const hit = faults.find((fault) => {
      const [start, end] = windowOf(fault);
      return from <= end && to >= start;
    });
    return hit?.name ?? 'steady load';
  };
  const names = ['steady load', ...faults.map((fault) => fault.name), 'checks after the faults'];
  const rows = names.map((name) => {
    const exchanges = recorder.exchanges.filter((e) => phaseOf(e.startedAt, e.startedAt + e.ms) === name);
    const fault = faults.find((f) => f.name === name);
    const count = (test: (e: Exchange) => boolean) => exchanges.filter(test).length;
    const window = fault ? windowOf(fault).map((at) => recorder.time(at)) : undefined;
    return {
      phase: window ? `${name} (${window.join(' to ')})` : name,
      requests: exchanges.length,
      'in flight when it struck': fault
        ? exchanges.filter((e) => e.startedAt <= fault.startedAt && e.startedAt + e.ms >= fault.startedAt)
            .length
        : '',
      '503+Retry-After': count((e) => e.status === 503 && Boolean(e.retryAfter)),
      '503 w/o Retry-After': count((e) => e.status === 503 && !e.retryAfter),
      'other 5xx': count((e) => (e.status ?? 0) >= 500 && e.status !== 503 && !e.failure),
      'connection errors': count((e) => e.failure === 'connection'),
      timeouts: count((e) => e.failure === 'timeout'),
      'sessions kept by a retry': recorder.kept.filter(
        (kept) => phaseOf(kept.interruptedAt, kept.at) === name,
      ).length,
      'sessions lost': recorder.lost.filter(
        (lost) => phaseOf(lost.interruptedAt ?? lost.at, lost.at) === name,
      ).length,
      'ready a (ms)': fault ? (fault.ready.a ?? 'never') : '',
      'ready b (ms)': fault ? (fault.ready.b ?? 'never') : '',
      'longest (ms)': Math.max(0, ...exchanges.map((e) => e.ms)),
    };
  });
  const header = Object.keys(rows[0]!);
  const cells = rows.map((row) => Object.values(row).map(String));
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** The server processes' error lines (level ≥ 50), grouped, most frequent first. */
export function serverErrors(processes: MainProcess[]): string[] {
  const counts = new Map<string, number>();
  for (const { stdout } of processes)
    for (const line of jsonLines(stdout).filter((entry) => Number(entry.level) >= 50)) {
      const err = line.err as { type?: string; message?: string } | undefined;
      const text = `${line.msg}${err ? `: ${err.type ?? ''} ${err.message ?? ''}` : ''}`;
      const key = text.replace(/\s+/g, ' ').slice(0, 300);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return [...counts].sort((x, y) => y[1] - x[1]).map(([key, count]) => `${count}× ${key}`);
}

/** The JSON lines of a process's output; a line cut short by SIGKILL is skipped. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
