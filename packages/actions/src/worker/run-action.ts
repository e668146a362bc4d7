import type ivm from 'isolated-vm';
import type { ActionToRun, FailureKind } from '../result.ts';
import { createCallbacks, type ExecutionHost } from './host-bridge.ts';
import { PendingOps } from './pending-ops.ts';
import type { SandboxContext, TenantIsolate } from './tenant-isolate.ts';

export type ActionOutcome =
  | { ok: true }
  | {
      ok: false;
      kind: FailureKind;
      message: string;
      /** The isolate was reset (by another execution, or the idle watchdog) before this one's code ran. */
      notStarted?: boolean;
    };

export interface ActionExecution {
  tenant: TenantIsolate;
  action: ActionToRun;
  handler: 'onExecutePostLogin' | 'onContinuePostLogin';
  eventJson: string;
  contextJson: string;
  host: ExecutionHost;
  /** Absolute wall-clock deadline (ms epoch) of the whole run. */
  deadline: number;
  cpuMs: number;
  /** The tenant's current isolate (a fresh one when `tenant` was reset): one retry uses it. */
  reacquire?: () => TenantIsolate;
}

const CPU_POLL_MS = 20;
export const BUDGET_EXCEEDED = 'the actions exceeded their time budget and were stopped';

/**
 * Runs one action handler in a fresh context of its tenant's isolate. isolated-vm's own `timeout`
 * stops synchronous loops but not a promise that never settles (docs/architecture.md#known-traps), so a
 * watchdog races the call against the deadline and the CPU budget, and disposes the isolate when
 * either is exceeded: that is the only way to stop code that is stuck inside V8.
 */
export async function runAction(execution: ActionExecution): Promise<ActionOutcome> {
  const outcome = await holding(execution);
  // Someone else's failure reset the isolate before this execution ran any of its code: run it again,
  // once, in the tenant's fresh isolate, rather than fail a login that did nothing wrong.
  if (!outcome.ok && outcome.notStarted && execution.reacquire !== undefined) {
    return holding({ ...execution, tenant: execution.reacquire() });
  }
  return outcome;
}

async function holding(execution: ActionExecution): Promise<ActionOutcome> {
  execution.tenant.users++;
  try {
    return await admitted(execution);
  } finally {
    execution.tenant.users--;
  }
}

async function admitted(execution: ActionExecution): Promise<ActionOutcome> {
  const { tenant, deadline } = execution;
  const remaining = () => Math.max(1, deadline - Date.now());
  let script: ivm.Script;
  try {
    script = await tenant.script(execution.action.versionId, execution.action.code);
  } catch (error) {
    if (tenant.disposed) return { ...lost(tenant), notStarted: true };
    return { ok: false, kind: 'syntax', message: describeCompileError(error) };
  }

  if (!(await tenant.enter(deadline))) {
    return {
      ok: false,
      kind: 'timeout',
      message: BUDGET_EXCEEDED,
    };
  }
  try {
    // Reset by another execution's watchdog while this one waited for a slot.
    if (tenant.disposed) return { ...lost(tenant), notStarted: true };
    return await execute(execution, script, remaining);
  } finally {
    tenant.leave();
  }
}

async function execute(
  execution: ActionExecution,
  script: ivm.Script,
  remaining: () => number,
): Promise<ActionOutcome> {
  const { tenant } = execution;
  const pending = new PendingOps();
  let opened: SandboxContext | undefined;
  let tripped: FailureKind | undefined;
  let trippedMessage = '';
  let started = false;
  let watchdog: { stop(): void } | undefined;
  tenant.active++;
  try {
    watchdog = startWatchdog(tenant, execution, (kind, message) => {
      tripped = kind;
      trippedMessage = message;
      pending.cancelAll();
      tenant.dispose({
        kind,
        message: 'another execution of this tenant exceeded its budget; its isolate was reset',
      });
    });
    const settle = (id: number, ok: boolean, json: string) => {
      if (opened !== undefined && !pending.closed)
        opened.entry.applyIgnored(undefined, ['settle', id, ok, json]);
    };
    opened = await tenant.open(createCallbacks(execution.host, pending, settle), remaining());
    started = true; // the module's top level is the tenant's code
    const moduleFn = await opened.load(script, remaining());
    const outcome = (await opened.entry.apply(
      undefined,
      ['run', moduleFn.derefInto(), execution.handler, execution.eventJson, execution.contextJson],
      { result: { promise: true, copy: true }, timeout: remaining() },
    )) as string;
    return fromHandlerResult(outcome);
  } catch (error) {
    if (tripped !== undefined) return { ok: false, kind: tripped, message: trippedMessage };
    if (!started && tenant.disposed) return { ...lost(tenant), notStarted: true };
    return fromIsolateError(error, tenant);
  } finally {
    watchdog?.stop();
    pending.cancelAll();
    tenant.active--;
    opened?.release();
    // CPU used until now was this execution's; the idle watchdog counts from here.
    if (!tenant.disposed) tenant.idleCpuMark = tenant.isolate.cpuTime;
  }
}

function startWatchdog(
  tenant: TenantIsolate,
  execution: ActionExecution,
  trip: (kind: FailureKind, message: string) => void,
): { stop(): void } {
  const cpuStart = tenant.isolate.cpuTime;
  const cpuBudget = BigInt(execution.cpuMs) * 1_000_000n;
  const wall = setTimeout(
    () => trip('timeout', BUDGET_EXCEEDED),
    Math.max(1, execution.deadline - Date.now()),
  );
  const cpu = setInterval(() => {
    if (tenant.disposed) return;
    if (tenant.isolate.cpuTime - cpuStart > cpuBudget) {
      trip('timeout', `the action used more than ${execution.cpuMs} ms of CPU and was stopped`);
    }
  }, CPU_POLL_MS);
  return {
    stop() {
      clearTimeout(wall);
      clearInterval(cpu);
    },
  };
}

function fromHandlerResult(json: string): ActionOutcome {
  const result = JSON.parse(json) as { ok: boolean; name?: string; message?: string; stack?: string };
  if (result.ok) return { ok: true };
  if (result.name === 'MissingHandler')
    return { ok: false, kind: 'runtime', message: String(result.message) };
  return { ok: false, kind: 'runtime', message: describeThrown(result) };
}

/** `TypeError: x is not a function (action.js:3:11)`: the message plus where in the tenant's code. */
function describeThrown(result: { name?: string; message?: string; stack?: string }): string {
  const name = result.name && result.name !== 'Error' ? `${result.name}: ` : '';
  const where = /action\.js:(\d+):(\d+)/.exec(result.stack ?? '');
  const message = `${name}${result.message ?? ''}`.slice(0, 2000);
  return where ? `${message} (action.js:${where[1]}:${where[2]})` : message;
}

/** The failure of an execution whose isolate is gone, from what the host knows (never from messages). */
function lost(tenant: TenantIsolate): Extract<ActionOutcome, { ok: false }> {
  if (tenant.lostReason !== undefined) return { ok: false, ...tenant.lostReason };
  return {
    ok: false,
    kind: 'memory',
    message: 'the action exceeded its memory limit and was stopped',
  };
}

/**
 * An error from isolated-vm itself (the prelude turns everything tenant code throws into a value, but
 * a rejection left unhandled can still surface here with a tenant-chosen message): classified from
 * host state, so `throw new Error('out of memory')` stays a runtime error.
 */
function fromIsolateError(error: unknown, tenant: TenantIsolate): ActionOutcome {
  if (tenant.disposed) return lost(tenant);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && message === 'Script execution timed out.') {
    return {
      ok: false,
      kind: 'timeout',
      message: BUDGET_EXCEEDED,
    };
  }
  return { ok: false, kind: 'runtime', message: message.slice(0, 2000) };
}

export function describeCompileError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const where = /action\.js:(\d+):(\d+)/.exec(`${message}\n${stack}`);
  const clean = message.replace(/\s*\[action\.js:\d+:\d+\]\s*$/, '');
  return where ? `${clean} (action.js:${where[1]}:${where[2]})` : clean;
}
