// A sandbox worker process (DESIGN.md "sandbox"): started by the pool with --no-node-snapshot, holding
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
const isolates = new TenantIsolates(settings.memoryMb);
const send = (message: FromWorker) => {
  if (process.connected) process.send?.(message);
};

process.on('message', (message: ToWorker) => {
  if (message.t === 'run') {
    runTrigger(message.run, isolates, settings, () => send({ t: 'effect', id: message.id })).then(
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
    checkModule(message.code, settings.memoryMb).then((check) =>
      send({ t: 'checked', id: message.id, check }),
    );
  }
});
// The server went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
