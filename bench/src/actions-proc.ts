import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory of the sandbox worker processes, read from /proc (Linux): the actions runtime runs
 * tenant code in child processes, which `process.cpuUsage()` of this process does not see.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on most kernels). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process, every thread included, in ms (10 ms resolution at USER_HZ 100). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/**
 * The child processes of this process, from /proc/<pid>/task/<tid>/children: a booted Tessera's
 * sandbox workers (Postgres and Redis run elsewhere; PGlite runs in this process).
 */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
      for (const pid of children.split(' ')) if (pid.trim() !== '') pids.push(Number(pid));
    } catch {
      // The thread ended meanwhile: it has no children left to count.
    }
  }
  return pids;
}

/** CPU ms so far of this process's child processes (one that has just exited counts as 0). */
export function childrenCpuMs(): number {
  let total = 0;
  for (const pid of childPids()) {
    try {
      total += processCpuMs(pid);
    } catch {
      // Exited between the listing and the read.
    }
  }
  return total;
}

/** CPU ms so far of this process (all its threads) plus the given worker processes. */
export function cpuMsWith(pids: readonly number[]): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}

/** Resident memory of the given processes together, in MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
    kib += Number(match[1]);
  }
  return kib / 1024;
}
