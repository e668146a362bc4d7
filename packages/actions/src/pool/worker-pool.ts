import type { Logger } from '@tessera/core';
import type { CacheMutation } from '../cache/cache-view.ts';
import type { FailureKind, RunResult } from '../result.ts';
import type { FromWorker, ModuleCheck, WorkerRun, WorkerSettings } from '../worker/protocol.ts';
import { WorkerProcess } from './worker-process.ts';

/** Extra time the server gives a worker past a run's budget before it kills the process. */
const GRACE_MS = 1500;
const CHECK_BUDGET_MS = 5000;
/** How long a worker may take to start before the server gives up on it (on top of the budget). */
const STARTUP_ALLOWANCE_MS = 15_000;

type RunReply = { result: RunResult; cache: CacheMutation[] };

interface Job {
  id: number;
  kind: 'run' | 'check';
  run?: WorkerRun;
  code?: string;
  deadline: number;
  /** The run reached an external side effect (fetch): it must not run twice. */
  effect: boolean;
  retried: boolean;
  worker?: WorkerProcess;
  timer?: NodeJS.Timeout;
  /** This job's own deadline made the server kill its worker. */
  culprit: boolean;
  /** The worker reported that V8 ran out of memory in the isolate this job was using. */
  lost?: boolean;
  resolve(reply: RunReply | ModuleCheck): void;
}

export const failedRun = (kind: FailureKind, message: string, durationMs: number): RunResult => ({
  outcome: 'failed',
  kind,
  action: undefined,
  message,
  commands: [],
  actions: [],
  logs: [],
  durationMs,
});

/**
 * The pool of sandbox worker processes. Each run goes to the least busy worker. The server-side
 * watchdog kills a worker that overruns a run's budget (code stuck where the in-worker watchdog cannot
 * reach it). When a worker dies, its runs fail closed, except runs that had not yet made an external
 * call: those are side-effect free, so each is retried once on a fresh worker, and a crash caused by
 * one tenant does not fail other tenants' logins (docs/security.md#4). A run that crashes twice fails.
 */
export class WorkerPool {
  readonly #workers: WorkerProcess[] = [];
  readonly #jobs = new Map<number, Job>();
  readonly #settings: WorkerSettings;
  readonly #log: Logger;
  #nextId = 1;
  /** When workers died lately (ms epoch), for the crash-loop pause. */
  #exits: number[] = [];
  #closed = false;

  constructor(size: number, settings: WorkerSettings, log: Logger) {
    this.#settings = settings;
    this.#log = log;
    for (let i = 0; i < size; i++) this.#workers.push(this.#spawn());
  }

  /** Resolves when every worker has started (tests and benchmarks use it to exclude start-up). */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.ready));
  }

  pids(): number[] {
    return this.#workers.map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  run(run: WorkerRun): Promise<RunReply> {
    return new Promise((resolve) => {
      const job: Job = {
        id: this.#nextId++,
        kind: 'run',
        run,
        deadline: Date.now() + run.budgetMs,
        effect: false,
        retried: false,
        culprit: false,
        resolve: resolve as Job['resolve'],
      };
      this.#dispatch(job);
    });
  }

  check(code: string): Promise<ModuleCheck> {
    return new Promise((resolve) => {
      const job: Job = {
        id: this.#nextId++,
        kind: 'check',
        code,
        deadline: Date.now() + CHECK_BUDGET_MS,
        effect: false,
        retried: false,
        culprit: false,
        resolve: resolve as Job['resolve'],
      };
      this.#dispatch(job);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#jobs.values()) this.#fail(job, 'crash', 'the actions runtime is shutting down');
    await Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.exited) return resolve();
            worker.child.once('exit', () => resolve());
            worker.kill();
          }),
      ),
    );
  }

  #spawn(): WorkerProcess {
    const worker: WorkerProcess = new WorkerProcess(
      this.#settings,
      (message) => this.#onMessage(worker, message),
      (dead) => this.#onExit(dead),
    );
    return worker;
  }

  #dispatch(job: Job): void {
    if (this.#closed) {
      this.#fail(job, 'crash', 'the actions runtime is shut down');
      return;
    }
    const live = this.#workers.filter((w) => !w.exited);
    const load = (w: WorkerProcess) => [...this.#jobs.values()].filter((j) => j.worker === w).length;
    const worker = live.sort((a, b) => load(a) - load(b))[0];
    if (worker === undefined) {
      this.#fail(job, 'crash', 'no sandbox worker is available');
      return;
    }
    job.worker = worker;
    this.#jobs.set(job.id, job);
    const arm = (ms: number) => {
      clearTimeout(job.timer);
      job.timer = setTimeout(() => {
        // The in-worker watchdog should have answered by now: the worker is stuck (or flooded). Kill it.
        job.culprit = true;
        this.#log.warn({ pid: worker.pid, job: job.id }, 'sandbox worker overran a run budget; killing it');
        worker.kill();
      }, ms);
    };
    const starting = !worker.isReady;
    const waitFrom = Date.now();
    const remaining = Math.max(1, job.deadline - waitFrom);
    arm(remaining + GRACE_MS + (starting ? STARTUP_ALLOWANCE_MS : 0));
    worker.ready.then(
      () => {
        // Failed or moved to another worker while this one started: nothing to send, no timer to arm.
        if (this.#jobs.get(job.id) !== job || job.worker !== worker) return;
        // Waiting for a worker to start (the first logins after boot, a replaced worker) is not the
        // run's time: its budget counts from when a worker can run it.
        if (starting) {
          job.deadline += Date.now() - waitFrom;
          arm(Math.max(1, job.deadline - Date.now()) + GRACE_MS);
        }
        if (job.kind === 'run' && job.run !== undefined) {
          worker.send({
            t: 'run',
            id: job.id,
            run: { ...job.run, budgetMs: Math.max(1, job.deadline - Date.now()) },
          });
        } else if (job.code !== undefined) {
          worker.send({ t: 'check', id: job.id, code: job.code });
        }
      },
      () => {},
    );
  }

  #onMessage(from: WorkerProcess, message: FromWorker): void {
    if (message.t === 'ready') return;
    // A job retried elsewhere belongs to its new worker: the old one's late messages are not about it.
    const ours = (id: number) => {
      const job = this.#jobs.get(id);
      return job?.worker === from ? job : undefined;
    };
    if (message.t === 'lost') {
      for (const id of message.ids) {
        const job = ours(id);
        if (job !== undefined) job.lost = true;
      }
      return;
    }
    const job = ours(message.id);
    if (job === undefined) return;
    if (message.t === 'effect') {
      job.effect = true;
      return;
    }
    this.#settle(job);
    if (message.t === 'result') job.resolve({ result: message.result, cache: message.cache });
    else if (message.t === 'checked') job.resolve(message.check);
  }

  #onExit(worker: WorkerProcess): void {
    const index = this.#workers.indexOf(worker);
    if (index !== -1 && !this.#closed) this.#replace(index, worker);
    const orphans = [...this.#jobs.values()].filter((job) => job.worker === worker);
    if (orphans.length > 0) {
      this.#log.error(
        { pid: worker.pid, runs: orphans.length, stderr: worker.stderrTail.slice(-1000) },
        'sandbox worker died with runs in flight',
      );
    }
    for (const job of orphans) {
      this.#settle(job);
      if (job.culprit) {
        this.#fail(
          job,
          'timeout',
          'the actions exceeded their time budget and the sandbox worker was stopped',
        );
      } else if (job.lost) {
        // Not retried: it is the allocation bomb (or shared its tenant's isolate with it).
        this.#fail(
          job,
          'memory',
          'the actions exhausted the sandbox memory; the sandbox worker was replaced',
        );
      } else if (
        job.kind === 'run' &&
        !job.effect &&
        !job.retried &&
        job.deadline - Date.now() > 50 &&
        !this.#closed
      ) {
        job.retried = true;
        this.#dispatch(job);
      } else if (worker.diedOfMemory) {
        this.#fail(
          job,
          'memory',
          'the actions exhausted the sandbox memory; the sandbox worker was replaced',
        );
      } else {
        this.#fail(job, 'crash', 'the sandbox worker crashed and was replaced');
      }
    }
  }

  /**
   * Replaces a dead worker at once, unless workers keep dying (a broken install, a tenant crashing
   * every fresh worker): then after a pause, so the server does not spin forking processes.
   */
  #replace(index: number, dead: WorkerProcess): void {
    const now = Date.now();
    this.#exits = this.#exits.filter((at) => now - at < 10_000);
    this.#exits.push(now);
    if (this.#exits.length <= 4 * this.#workers.length) {
      this.#workers[index] = this.#spawn();
      return;
    }
    this.#log.error({ exits: this.#exits.length }, 'sandbox workers keep dying; replacing this one in 1 s');
    setTimeout(() => {
      if (!this.#closed && this.#workers[index] === dead) this.#workers[index] = this.#spawn();
    }, 1000).unref();
  }

  #settle(job: Job): void {
    clearTimeout(job.timer);
    this.#jobs.delete(job.id);
  }

  #fail(job: Job, kind: FailureKind, message: string): void {
    this.#settle(job);
    if (job.kind === 'check') {
      job.resolve({
        ok: false,
        kind: kind === 'limit' || kind === 'syntax' ? 'runtime' : kind,
        message,
      });
    } else {
      job.resolve({
        result: failedRun(kind, message, job.run ? job.run.budgetMs - (job.deadline - Date.now()) : 0),
        cache: [],
      });
    }
  }
}
