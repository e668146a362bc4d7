import type ivm from 'isolated-vm';
import type { ActionToRun, FailureKind } from '../result.ts';
import { createCallbacks, type ExecutionHost } from './host-bridge.ts';
import { PendingOps } from './pending-ops.ts';
import type { TenantIsolate } from './tenant-isolate.ts';

export type ActionOutcome =
  | { ok: true }
  | { ok: false; kind: FailureKind; message: string; isolateLost: boolean };

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
}

const CPU_POLL_MS = 20;

/**
 * Runs one action handler in a fresh context of its tenant's isolate. isolated-vm's own `timeout`
 * stops synchronous loops but not a promise that never settles (DESIGN.md "Known traps"), so a
 * watchdog races the call against the deadline and the CPU budget, and disposes the isolate when
 * either is exceeded: that is the only way to stop code that is stuck inside V8.
 */
export async function runAction(execution: ActionExecution): Promise<ActionOutcome> {
  const { tenant, deadline } = execution;
  const remaining = () => Math.max(1, deadline - Date.now());
  let script: ivm.Script;
  try {
    script = await tenant.script(execution.action.versionId, execution.action.code);
  } catch (error) {
    return { ok: false, kind: 'syntax', message: describeCompileError(error), isolateLost: tenant.disposed };
  }

  if (!(await tenant.enter(deadline))) {
    return {
      ok: false,
      kind: 'timeout',
      message: 'the actions exceeded their time budget and were stopped',
      isolateLost: false,
    };
  }
  try {
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
  let context: ivm.Context | undefined;
  // Host-side handles keep their isolate objects (and so the whole context) alive until the host's
  // own GC collects them, which a busy server may not do for a long time: release each explicitly.
  const references: ivm.Reference[] = [];
  const keep = <T extends ivm.Reference>(reference: T): T => {
    references.push(reference);
    return reference;
  };
  let tripped: FailureKind | undefined;
  let trippedMessage = '';
  const watchdog = startWatchdog(tenant, execution, (kind, message) => {
    tripped = kind;
    trippedMessage = message;
    pending.cancelAll();
    tenant.dispose({
      kind,
      message: 'another execution of this tenant exceeded its budget; its isolate was reset',
    });
  });
  // When no other execution holds this isolate, the fresh context is prepared with synchronous calls:
  // only our own sandbox script runs there (no tenant code), and each thread hop saved is ~0.07 ms.
  // With another execution in the isolate, a synchronous call could wait for that tenant code and
  // stall the whole worker, so the asynchronous calls are used.
  const idle = tenant.active === 0;
  tenant.active++;
  try {
    context = idle ? tenant.isolate.createContextSync() : await tenant.isolate.createContext();
    const sandboxOptions = { reference: true, timeout: remaining() } as const;
    const factory = keep(
      (idle
        ? tenant.sandbox.runSync(context, sandboxOptions)
        : await tenant.sandbox.run(context, sandboxOptions)) as ivm.Reference,
    );
    let entry: ivm.Reference | undefined;
    const settle = (id: number, ok: boolean, json: string) => {
      if (entry !== undefined && !pending.closed) entry.applyIgnored(undefined, ['settle', id, ok, json]);
    };
    const callbacks = createCallbacks(execution.host, pending, settle);
    const preludeOptions = { result: { reference: true }, timeout: remaining() } as const;
    entry = keep(
      (idle
        ? factory.applySync(undefined, callbacks, preludeOptions)
        : await factory.apply(undefined, callbacks, preludeOptions)) as ivm.Reference,
    );
    const moduleFn = keep(
      (await script.run(context, { reference: true, timeout: remaining() })) as ivm.Reference,
    );
    const outcome = (await entry.apply(
      undefined,
      ['run', moduleFn.derefInto(), execution.handler, execution.eventJson, execution.contextJson],
      { result: { promise: true, copy: true }, timeout: remaining() },
    )) as string;
    return fromHandlerResult(outcome);
  } catch (error) {
    if (tripped !== undefined)
      return { ok: false, kind: tripped, message: trippedMessage, isolateLost: true };
    return fromIsolateError(error, tenant);
  } finally {
    watchdog.stop();
    pending.cancelAll();
    tenant.active--;
    if (!tenant.disposed) {
      for (const reference of references) reference.release();
      context?.release();
    }
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
    () => trip('timeout', 'the actions exceeded their time budget and were stopped'),
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
    return { ok: false, kind: 'runtime', message: String(result.message), isolateLost: false };
  return { ok: false, kind: 'runtime', message: describeThrown(result), isolateLost: false };
}

/** `TypeError: x is not a function (action.js:3:11)`: the message plus where in the tenant's code. */
function describeThrown(result: { name?: string; message?: string; stack?: string }): string {
  const name = result.name && result.name !== 'Error' ? `${result.name}: ` : '';
  const where = /action\.js:(\d+):(\d+)/.exec(result.stack ?? '');
  const message = `${name}${result.message ?? ''}`.slice(0, 2000);
  return where ? `${message} (action.js:${where[1]}:${where[2]})` : message;
}

function fromIsolateError(error: unknown, tenant: TenantIsolate): ActionOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (tenant.lostReason !== undefined) return { ok: false, ...tenant.lostReason, isolateLost: true };
  if (
    /memory limit|out of memory|Array buffer allocation failed/i.test(message) ||
    (tenant.disposed && /disposed/i.test(message))
  ) {
    return {
      ok: false,
      kind: 'memory',
      message: 'the action exceeded its memory limit and was stopped',
      isolateLost: true,
    };
  }
  if (/timed out/i.test(message)) {
    return {
      ok: false,
      kind: 'timeout',
      message: 'the actions exceeded their time budget and were stopped',
      isolateLost: tenant.disposed,
    };
  }
  return { ok: false, kind: 'runtime', message: message.slice(0, 2000), isolateLost: tenant.disposed };
}

export function describeCompileError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const where = /action\.js:(\d+):(\d+)/.exec(`${message}\n${stack}`);
  const clean = message.replace(/\s*\[action\.js:\d+:\d+\]\s*$/, '');
  return where ? `${clean} (action.js:${where[1]}:${where[2]})` : clean;
}
