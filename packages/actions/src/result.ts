import type { Command } from './commands/types.ts';
import type { PostLoginEvent } from './event/types.ts';

/** Why a run failed. Each maps to one wire error in the trigger layer (docs/actions.md#runtime). */
export type FailureKind = 'syntax' | 'runtime' | 'timeout' | 'memory' | 'crash' | 'limit';

export type LogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** One line of an action's console output (or a runtime warning), with the time it was written. */
export interface LogEntry {
  action: string;
  level: LogLevel;
  message: string;
  /** ms since the epoch */
  at: number;
}

/** What one action did in a run: the execution record keeps one of these per action. */
export interface ActionReport {
  id: string;
  name: string;
  handler: 'onExecutePostLogin' | 'onContinuePostLogin';
  durationMs: number;
  /** How many of the run's commands this action recorded. */
  commands: number;
  /** Set when the action failed: the run stops there. */
  error?: { kind: FailureKind; message: string };
}

interface RunRecord {
  /** Every accepted api call, in call order across the actions that ran (secrets redacted). */
  commands: Command[];
  actions: ActionReport[];
  logs: LogEntry[];
  durationMs: number;
}

/**
 * The result of a trigger run, always a value: nothing tenant code throws reaches the server as an
 * exception. `completed` may end early on a pausing command (redirect, prompt, MFA
 * challenge/enrollment), reported in `pause`; the trigger layer resumes later actions after it.
 */
export type RunResult =
  | (RunRecord & {
      outcome: 'completed';
      pause?: Command;
      /**
       * For a `redirect.sendUserTo` pause: the URL the browser goes to, not redacted (the records keep
       * the redacted command; a secret the action put in the URL is its own choice, as in Auth0).
       */
      redirectTo?: string;
    })
  | (RunRecord & { outcome: 'denied'; denial: Command })
  | (RunRecord & {
      outcome: 'failed';
      kind: FailureKind;
      /** The action at fault; undefined when the run failed outside any action (e.g. a crashed worker). */
      action: { id: string; name: string } | undefined;
      message: string;
      /**
       * An action called `sendUserTo` or `prompt.render` where the transaction cannot show the user a
       * page (canRedirect() false), and the run failed: a prompt=none login answers
       * `interaction_required`.
       */
      interactionRefused?: boolean;
    });

/** An action as the trigger runs it: one deployed version with its secrets (decrypted by the caller). */
export interface ActionToRun {
  id: string;
  name: string;
  /** Compiled scripts are cached per version; a version's code never changes. */
  versionId: string;
  code: string;
  secrets: Record<string, string>;
}

export interface RunInput {
  tenantId: string;
  trigger: 'post-login';
  /** The post-login event, plain JSON (see event/build-event.ts). */
  event: PostLoginEvent;
  /** Bound actions in binding order (at most 20). */
  actions: ActionToRun[];
  /**
   * Resuming after `/continue`: `actions[index]` runs its `onContinuePostLogin`, then the later
   * actions run `onExecutePostLogin`. `state` is the `/continue` state validateToken checks.
   */
  resume?: { index: number; state: string };
  /**
   * The tenant lets `api.redirect.sendUserTo` send the browser to plain `http:` URLs of any host
   * (otherwise `http:` is accepted for localhost, 127.0.0.1 and [::1] only).
   */
  allowHttpRedirects?: boolean;
  /** Hosts this tenant's actions may fetch even when they resolve to private addresses. */
  egressAllowHosts?: readonly string[];
  /** Wall-clock budget for this run (default: the runtime's `timeoutMs`); the part after a redirect gets its own. */
  budgetMs?: number;
}
