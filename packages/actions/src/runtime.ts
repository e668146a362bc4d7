import { availableParallelism } from 'node:os';
import { type KvStore, type Logger, silentLogger } from '@tessera/core';
import { loadActionCache, saveActionCache } from './cache/action-cache.ts';
import { type CodeProblem, checkCodeStatically } from './code/check-code.ts';
import { EGRESS_DEFAULTS, type EgressPolicy } from './egress/policy.ts';
import { failedRun, WorkerPool } from './pool/worker-pool.ts';
import type { FailureKind, RunInput, RunResult } from './result.ts';
import { validateRunInput } from './validate-input.ts';

export interface ActionsRuntimeOptions {
  /** Sandbox worker processes (TESSERA_ACTIONS_WORKERS, default: CPU cores). */
  workers?: number;
  /** Memory limit of one tenant isolate in MB (TESSERA_ACTIONS_MEMORY_MB, default 64). */
  memoryMb?: number;
  /** Wall-clock budget of one trigger run, promise waits included (TESSERA_ACTIONS_TIMEOUT_MS, default 20 000). */
  timeoutMs?: number;
  /** CPU budget of one action execution (TESSERA_ACTIONS_CPU_MS, default 5 000). */
  cpuMs?: number;
  /** Hosts every tenant's fetch may reach even when private (TESSERA_ACTIONS_FETCH_ALLOW). */
  fetchAllowlist?: readonly string[];
  egress?: Partial<Omit<EgressPolicy, 'allowHosts'>>;
  /** Where `api.cache` lives (Redis or the in-process store). */
  kv: KvStore;
  log?: Logger;
}

/** Deploy-time verdict on an action's code. */
export type CheckResult =
  | { ok: true; handlers: { onExecutePostLogin: true; onContinuePostLogin: boolean } }
  | {
      ok: false;
      /** `syntax` for compile errors and static refusals (modules, size, missing handler). */
      kind: Exclude<FailureKind, 'limit'>;
      problems: CodeProblem[];
    };

export interface ActionsRuntime {
  /** Runs a trigger's actions; always resolves with a value (never throws for anything tenant code does). */
  run(input: RunInput): Promise<RunResult>;
  /** Checks code before it is deployed: syntax with positions, modules, the exported handler. */
  check(code: string): Promise<CheckResult>;
  /** Resolves when every worker has started. */
  ready(): Promise<void>;
  /** Worker process ids (operations and tests). */
  workerPids(): number[];
  close(): Promise<void>;
}

/** The Actions runtime (issue 4): a pool of sandbox workers, the cache and deploy-time checks. */
export function createActionsRuntime(options: ActionsRuntimeOptions): ActionsRuntime {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const kv = options.kv.scoped('actions-cache:');
  const pool = new WorkerPool(
    options.workers ?? availableParallelism(),
    {
      memoryMb: options.memoryMb ?? 64,
      cpuMs: options.cpuMs ?? 5_000,
      egress: { ...EGRESS_DEFAULTS, ...options.egress },
      operatorAllowHosts: [...(options.fetchAllowlist ?? [])],
    },
    options.log ?? silentLogger,
  );

  return {
    async run(input) {
      const started = Date.now();
      const problem = validateRunInput(input);
      if (problem !== undefined) return failedRun('limit', problem, 0);
      const budgetMs = Math.min(input.budgetMs ?? timeoutMs, timeoutMs);
      // Only actions that mention the cache pay for reading it (the cache is best effort by contract).
      const usesCache = input.actions.some((action) => action.code.includes('cache'));
      const cache = usesCache ? await loadActionCache(kv, input.tenantId, input.trigger) : {};
      const { result, cache: mutations } = await pool.run({ input, budgetMs, cache });
      if (mutations.length > 0) await saveActionCache(kv, input.tenantId, input.trigger, mutations);
      return result.outcome === 'failed' && result.durationMs === 0
        ? { ...result, durationMs: Date.now() - started }
        : result;
    },
    async check(code) {
      const problems = checkCodeStatically(code);
      if (problems.length > 0) return { ok: false, kind: 'syntax', problems };
      const module = await pool.check(code);
      if (!module.ok) return { ok: false, kind: module.kind, problems: [positioned(module.message)] };
      if (!module.onExecutePostLogin) {
        return {
          ok: false,
          kind: 'syntax',
          problems: [
            {
              message:
                'the action must export onExecutePostLogin (exports.onExecutePostLogin = async (event, api) => {})',
            },
          ],
        };
      }
      return {
        ok: true,
        handlers: { onExecutePostLogin: true, onContinuePostLogin: module.onContinuePostLogin },
      };
    },
    ready: () => pool.ready(),
    workerPids: () => pool.pids(),
    close: () => pool.close(),
  };
}

/** Lifts `(action.js:L:C)` out of a sandbox message into the problem's position. */
function positioned(message: string): CodeProblem {
  const where = /\(action\.js:(\d+):(\d+)\)$/.exec(message);
  if (where === null) return { message };
  return { message: message.slice(0, where.index).trim(), line: Number(where[1]), column: Number(where[2]) };
}
