import type ivm from 'isolated-vm';
import { CacheView } from '../cache/cache-view.ts';
import { CommandRecorder } from '../commands/recorder.ts';
import { EGRESS_DEFAULTS } from '../egress/policy.ts';
import { createCallbacks } from './host-bridge.ts';
import { LogSink } from './log-sink.ts';
import { PendingOps } from './pending-ops.ts';
import type { ModuleCheck } from './protocol.ts';
import { describeCompileError } from './run-action.ts';
import { TenantIsolate } from './tenant-isolate.ts';

const CHECK_TIMEOUT_MS = 1000;

/**
 * Deploy-time check: compiles the module and evaluates its top level in a throwaway isolate (never a
 * tenant's), reporting syntax errors with line and column and which handlers it exports. Top-level
 * code gets no useful network: private hosts are refused and any request times out after 1 ms.
 */
export async function checkModule(
  code: string,
  memoryMb: number,
  onCatastrophe?: (message: string) => void,
): Promise<ModuleCheck> {
  const tenant = new TenantIsolate(memoryMb, onCatastrophe);
  const pending = new PendingOps();
  // isolated-vm's timeout ends before the microtasks a top level may leave spinning: dispose the
  // throwaway isolate outright when the check overruns.
  let overran = false;
  const watchdog = setTimeout(() => {
    overran = true;
    tenant.dispose();
  }, 2 * CHECK_TIMEOUT_MS);
  try {
    let script: ivm.Script;
    try {
      script = await tenant.script('check', code);
    } catch (error) {
      return { ok: false, kind: 'syntax', message: describeCompileError(error) };
    }
    const recorder = new CommandRecorder();
    recorder.begin({
      actionName: 'check',
      protocol: 'oidc-basic-profile',
      handler: 'onExecutePostLogin',
      canRedirect: false,
    });
    const callbacks = createCallbacks(
      {
        actionName: 'check',
        recorder,
        logs: new LogSink(),
        cache: new CacheView({}),
        token: { hostname: '', userId: '', ip: '', state: undefined, query: {}, body: {} },
        egress: { ...EGRESS_DEFAULTS, allowHosts: [], timeoutMs: 1 },
        onEffect() {},
      },
      pending,
      () => {},
    );
    const { entry, load } = await tenant.open(callbacks, CHECK_TIMEOUT_MS);
    const moduleFn = await load(script, CHECK_TIMEOUT_MS);
    const json = (await entry.apply(undefined, ['inspect', moduleFn.derefInto()], {
      result: { copy: true },
      timeout: CHECK_TIMEOUT_MS,
    })) as string;
    const result = JSON.parse(json) as {
      ok: boolean;
      onExecutePostLogin?: boolean;
      onContinuePostLogin?: boolean;
      name?: string;
      message?: string;
      stack?: string;
    };
    if (result.ok) {
      return {
        ok: true,
        onExecutePostLogin: result.onExecutePostLogin === true,
        onContinuePostLogin: result.onContinuePostLogin === true,
      };
    }
    const where = /action\.js:(\d+):(\d+)/.exec(result.stack ?? '');
    const message = `${result.name}: ${result.message}${where ? ` (action.js:${where[1]}:${where[2]})` : ''}`;
    return { ok: false, kind: 'runtime', message: `the module threw while loading: ${message}` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (overran || message === 'Script execution timed out.')
      return { ok: false, kind: 'timeout', message: 'the module top level did not finish within 1 s' };
    if (tenant.disposed)
      return { ok: false, kind: 'memory', message: 'the module exceeded the memory limit while loading' };
    return { ok: false, kind: 'runtime', message: `the module could not be loaded: ${message}` };
  } finally {
    clearTimeout(watchdog);
    pending.cancelAll();
    tenant.dispose();
  }
}
