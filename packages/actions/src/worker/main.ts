// A sandbox worker process (docs/architecture.md#sandbox): started by the pool with --no-node-snapshot, holding
// one isolate per tenant, talking to the server over IPC only. If it crashes or stops answering, the
// pool kills and replaces it; the server process is never at risk.
import { checkModule } from './check-module.ts';
import type { FromWorker, ToWorker, WorkerSettings } from './protocol.ts';
import { runTrigger } from './run-trigger.ts';
import { TenantIsolates } from './tenant-isolate.ts';

const settings = JSON.parse(process.env.TESSERA_SANDBOX_WORKER ?? 'null') as WorkerSettings | null;
if (settings === null || typeof process.send !== 'function') {
  console.error('the sandbox worker is started by the actions runtime, not directly');
  process.exit(2);
}
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message);
};
/** What each run or check in flight uses: `tenant:<id>` (its tenant's isolate) or `check:<id>`. */
const inFlight = new Map<number, string>();
const isolates = new TenantIsolates(settings.memoryMb, {
  onCatastrophe: (tenantId, message) => lost(`tenant:${tenantId}`, message),
});

/**
 * V8 ran out of memory in one isolate before its limit could stop it (a single huge allocation): that
 * isolate's thread is parked for good, so this process must end. It first names the runs that used the
 * isolate, so the pool fails them instead of retrying an allocation bomb on a fresh worker, where it
 * would take down other tenants' runs a second time.
 */
function lost(key: string, message: string): void {
  const ids = [...inFlight].filter(([, user]) => user === key).map(([id]) => id);
  console.error(`sandbox worker: ${message} (${key}); exiting`);
  const die = () => process.kill(process.pid, 'SIGKILL');
  if (process.connected) process.send?.({ t: 'lost', ids } satisfies FromWorker, die);
  else die();
}

/** Remembers which isolate a run or check uses while it is in flight (see `lost`). */
function track<T>(id: number, key: string, work: Promise<T>): Promise<T> {
  inFlight.set(id, key);
  return work.finally(() => inFlight.delete(id));
}

process.on('message', (message: ToWorker) => {
  if (message.t === 'run') {
    track(
      message.id,
      `tenant:${message.run.input.tenantId}`,
      runTrigger(message.run, isolates, settings, () => send({ t: 'effect', id: message.id })),
    ).then(
      ({ result, cache }) => send({ t: 'result', id: message.id, result, cache }),
      (error: unknown) => {
        // A bug on our side, not tenant code: report it as a crash of this run, keep serving others.
        console.error('sandbox worker: run failed', error);
        send({
          t: 'result',
          id: message.id,
          cache: [],
          result: {
            outcome: 'failed',
            kind: 'crash',
            action: undefined,
            message: 'the sandbox failed',
            commands: [],
            actions: [],
            logs: [],
            durationMs: 0,
          },
        });
      },
    );
  } else if (message.t === 'check') {
    const key = `check:${message.id}`;
    track(
      message.id,
      key,
      checkModule(message.code, settings.memoryMb, (error) => lost(key, error)),
    ).then(
      (check) => send({ t: 'checked', id: message.id, check }),
      (error: unknown) => {
        console.error('sandbox worker: check failed', error);
        send({
          t: 'checked',
          id: message.id,
          check: { ok: false, kind: 'crash', message: 'the sandbox failed' },
        });
      },
    );
  }
});
// The server went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
