import { type ChildProcess, fork } from 'node:child_process';
import type { FromWorker, ToWorker, WorkerSettings } from '../worker/protocol.ts';

const WORKER_ENTRY = new URL('../worker/main.ts', import.meta.url);
const STDERR_TAIL = 8 * 1024;

/** Markers V8 prints when a process dies of heap exhaustion (an allocation bomb outside the limit). */
const OOM = /heap out of memory|is_heap_oom|invalid table size|invalid array length|Allocation failed/i;

/**
 * One sandbox worker process. Its environment holds nothing but its settings: no database URL, master
 * key or other server secret is inherited, so even a sandbox escape would find none (docs/security.md#12:
 * the flags and options are ours alone, never derived from tenant input).
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** The worker said it is ready (its sandbox code is loaded). */
  isReady = false;
  #stderr = '';
  exited = false;

  constructor(
    settings: WorkerSettings,
    onMessage: (message: FromWorker) => void,
    onExit: (worker: WorkerProcess) => void,
  ) {
    this.child = fork(WORKER_ENTRY, [], {
      execArgv: ['--no-node-snapshot', '--disable-warning=ExperimentalWarning'],
      env: {
        TESSERA_SANDBOX_WORKER: JSON.stringify(settings),
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (message: FromWorker) => {
        if (message.t === 'ready') resolve();
      };
      this.child.once('message', onReady);
      this.child.once('exit', () => reject(new Error('sandbox worker exited before it was ready')));
    });
    this.ready.then(
      () => {
        this.isReady = true;
      },
      () => {},
    );
    this.child.on('message', (message: FromWorker) => onMessage(message));
    this.child.on('exit', () => {
      this.exited = true;
    });
    // 'close' comes after the IPC channel is drained: the worker's last messages ('effect', 'lost',
    // a result) are handled before its runs are retried or failed.
    this.child.on('close', () => {
      this.exited = true;
      onExit(this);
    });
    this.child.on('error', () => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True when the last thing the process printed says V8 ran out of memory. */
  get diedOfMemory(): boolean {
    return OOM.test(this.#stderr);
  }

  get stderrTail(): string {
    return this.#stderr;
  }

  send(message: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
