import type { CacheEntries, CacheMutation } from '../cache/cache-view.ts';
import type { EgressPolicy } from '../egress/policy.ts';
import type { RunInput, RunResult } from '../result.ts';

/** Settings a worker process receives once, at spawn (environment variable TESSERA_SANDBOX_WORKER). */
export interface WorkerSettings {
  memoryMb: number;
  cpuMs: number;
  egress: Omit<EgressPolicy, 'allowHosts'>;
  operatorAllowHosts: string[];
}

export interface WorkerRun {
  input: RunInput;
  budgetMs: number;
  /** The trigger's cache as loaded from the KV store at the start of the run. */
  cache: CacheEntries;
}

/** Messages server → worker. */
export type ToWorker = { t: 'run'; id: number; run: WorkerRun } | { t: 'check'; id: number; code: string };

/** What a deploy-time module check found. */
export type ModuleCheck =
  | { ok: true; onExecutePostLogin: boolean; onContinuePostLogin: boolean }
  | { ok: false; kind: 'syntax' | 'runtime' | 'timeout' | 'memory' | 'crash'; message: string };

/** Messages worker → server. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'result'; id: number; result: RunResult; cache: CacheMutation[] }
  | { t: 'checked'; id: number; check: ModuleCheck }
  /** Sent before the first external side effect (fetch) of a run: after it, a crash is not retried. */
  | { t: 'effect'; id: number }
  /**
   * Sent just before the worker ends itself because V8 ran out of memory in one isolate: these runs (or
   * checks) were using it. They fail as `memory`; the worker's other runs are retried elsewhere.
   */
  | { t: 'lost'; ids: number[] };
