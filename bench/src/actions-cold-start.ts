import { performance } from 'node:perf_hooks';
import { type ActionsRuntime, type ActionToRun, defaultPostLoginEvent } from '@tessera/actions';
import { cpuMsWith } from './actions-proc.ts';
import { problemOf } from './actions-sandbox.ts';
import type { LoadResult } from './spec.ts';
import { summarize } from './stats.ts';

/** A typical post-login action (claims from metadata and roles, a deny branch): 4 commands here. */
const TYPICAL = `/** Adds roles and the plan to the tokens; blocks suspended accounts. */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://example.com';
  const metadata = event.user.app_metadata || {};
  if (metadata.suspended === true) {
    api.access.deny('account suspended');
    return;
  }
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim(namespace + '/roles', roles);
  api.accessToken.setCustomClaim(namespace + '/roles', roles);
  api.idToken.setCustomClaim(namespace + '/plan', metadata.plan || 'free');
  const country = event.request.geoip && event.request.geoip.countryCode;
  api.idToken.setCustomClaim(namespace + '/country', country || 'unknown');
};
`;
const COMMANDS = 4;
/** Runs of each kind between two CPU readings (/proc counts CPU in 10 ms ticks). */
const BLOCK = 10;
/** New-tenant cold starts are capped: each leaves an isolate (~MiBs) in the worker until eviction. */
const MAX_NEW_TENANTS = 60;

type Kind = 'cold' | 'warm' | 'tenant';

/** A deployed version: its own id and code (a new deployment's source differs, so V8 caches nothing). */
const version = (versionId: string): ActionToRun => ({
  id: 'act_typical',
  name: 'typical',
  versionId,
  code: `${TYPICAL}// version ${versionId}\n`,
  secrets: {},
});

/**
 * Cold start of an action version, one run at a time (latency, not throughput): blocks of runs of a
 * version never run before (compile + fresh context) alternate with blocks of a version already run
 * (the baseline: cached script, fresh context), so both see the same machine at the same moment.
 * Every block also runs one action for a tenant never seen (new isolate + sandbox + compile).
 */
export async function coldStart(
  runtime: ActionsRuntime,
  timing: { warmupMs: number; durationMs: number },
): Promise<Record<Kind, LoadResult>> {
  const event = defaultPostLoginEvent();
  const pids = runtime.workerPids();
  const measured = { cold: newTally(), warm: newTally(), tenant: newTally() };
  const warm = version('warm');
  let sequence = 0;
  const one = async (kind: Kind, tally: Tally | undefined) => {
    sequence++;
    const action = kind === 'warm' ? warm : version(`v${sequence}`);
    const tenantId = kind === 'tenant' ? `new-tenant-${sequence}` : 'bench';
    const began = performance.now();
    const result = await runtime.run({ tenantId, trigger: 'post-login', event, actions: [action] });
    const ms = performance.now() - began;
    if (tally === undefined) return;
    const problem = problemOf(result, COMMANDS);
    if (problem === undefined) tally.latencies.push(ms);
    else {
      tally.errors++;
      tally.firstError ??= problem;
    }
  };
  const block = async (kind: Kind, count: number, tally: Tally | undefined) => {
    const cpu = cpuMsWith(pids);
    for (let i = 0; i < count; i++) await one(kind, tally);
    if (tally !== undefined) tally.cpuMs += cpuMsWith(pids) - cpu;
  };

  await one('warm', undefined);
  const from = performance.now() + timing.warmupMs;
  const until = from + timing.durationMs;
  while (performance.now() < until) {
    const timed = performance.now() >= from;
    await block('cold', BLOCK, timed ? measured.cold : undefined);
    await block('warm', BLOCK, timed ? measured.warm : undefined);
    if (timed && measured.tenant.latencies.length + measured.tenant.errors < MAX_NEW_TENANTS)
      await block('tenant', 1, measured.tenant);
  }
  return { cold: result(measured.cold), warm: result(measured.warm), tenant: result(measured.tenant) };
}

interface Tally {
  latencies: number[];
  errors: number;
  firstError?: string;
  cpuMs: number;
}

const newTally = (): Tally => ({ latencies: [], errors: 0, cpuMs: 0 });

/** One caller, so ops/s is that caller's rate: runs over the time spent in them. */
function result(tally: Tally): LoadResult {
  const elapsedMs = tally.latencies.reduce((sum, ms) => sum + ms, 0);
  return {
    ...summarize(tally.latencies),
    errors: tally.errors,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
    elapsedMs: Math.max(elapsedMs, 1),
    processCpuMs: tally.cpuMs,
    loadgenCpuMs: 0,
  };
}
