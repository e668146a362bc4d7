import type { CodeProblem } from '@tessera/actions';
import { ConfigError, type Logger, logMessageOf, ServiceUnavailableError } from '@tessera/core';
import type { CliIo } from '../io.ts';
import type { BindingPlan, BindRequest } from './plan-binding.ts';
import type { SavedAction } from './save-action.ts';

export const TRIGGER = 'post-login';

/** Check problems (nothing was written), at `file:line:column` as compilers print them. */
export function reportProblems(
  io: CliIo,
  json: boolean,
  file: string,
  kind: string,
  problems: CodeProblem[],
) {
  if (json) {
    io.stdout(`${JSON.stringify({ error: { kind, problems } })}\n`);
    return;
  }
  const lines = problems.map(
    (p) => `  ${file}${p.line === undefined ? '' : `:${p.line}:${p.column}`}: ${p.message}`,
  );
  io.stderr(
    `tessera: ${file} failed the deploy check (${kind}); nothing was deployed\n${lines.join('\n')}\n`,
  );
}

export function bindingLine(plan: BindingPlan, request: BindRequest): string {
  const where = `${TRIGGER} at position ${plan.position} of ${plan.total}`;
  if (request.at !== 'none') return `bound to ${where}${plan.change ? '' : ' (unchanged)'}`;
  return plan.position === null
    ? `bindings untouched (--no-bind): not bound to ${TRIGGER}, so logins do not run it`
    : `bindings untouched (--no-bind): bound to ${where}, so logins run the new version`;
}

/** `--json`: the whole deploy as one object. */
export function summary(tenant: string, name: string, saved: SavedAction, plan: BindingPlan) {
  return {
    tenant,
    action: { id: saved.id, name, created: saved.created },
    version: saved.version,
    binding: { trigger: TRIGGER, position: plan.position, total: plan.total, changed: plan.change },
  };
}

/** Storage logs nothing a command's user needs, except warnings (a lost connection, say). */
export function cliLogger(io: CliIo): Logger {
  const line = (obj: object | string, msg?: string) =>
    io.stderr(`tessera: warning: ${typeof obj === 'string' ? obj : (msg ?? JSON.stringify(obj))}\n`);
  const log: Logger = { debug() {}, info() {}, warn: line, error: line, child: () => log };
  return log;
}

/** A refusal the operator can act on, as one line on stderr; the exit code is 1. */
export function reportFailure(io: CliIo, error: unknown): number {
  // An outage's wire code is no message for an operator: which store, and the driver's reason.
  const text =
    error instanceof ServiceUnavailableError
      ? `${logMessageOf(error, error.description)}: ${(error.cause as Error | undefined)?.message ?? 'no answer'}`
      : (error as Error).message;
  const message = text.replace(/\s*\n\s*/g, ' ');
  io.stderr(`tessera: ${error instanceof ConfigError ? 'invalid configuration: ' : ''}${message}\n`);
  return 1;
}
