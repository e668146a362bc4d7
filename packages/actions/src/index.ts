export { CACHE_LIMITS } from './cache/cache-view.ts';
export { ALLOWED_MODULES, type CodeProblem, MAX_CODE_BYTES } from './code/check-code.ts';
export { applyToEvent } from './commands/apply-to-event.ts';
export type { Command } from './commands/types.ts';
export { DENYING, PAUSING } from './commands/types.ts';
export { EGRESS_DEFAULTS } from './egress/policy.ts';
export * from './event/index.ts';
export type {
  ActionReport,
  ActionToRun,
  FailureKind,
  LogEntry,
  LogLevel,
  RunInput,
  RunResult,
} from './result.ts';
export {
  type ActionsRuntime,
  type ActionsRuntimeOptions,
  type CheckResult,
  createActionsRuntime,
} from './runtime.ts';
export { RUN_LIMITS } from './validate-input.ts';
export { LOG_LIMITS } from './worker/log-sink.ts';
/** Absolute path of the published `.d.ts` describing `event` and `api` (written by `tessera actions types`). */
export const POST_LOGIN_TYPES_PATH = new URL('../types/post-login.d.ts', import.meta.url);
