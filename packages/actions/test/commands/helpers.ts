import type { RecorderLimits } from '../../src/commands/limits.ts';
import { CommandRecorder, type RecorderContext, type RecordResult } from '../../src/commands/recorder.ts';

export const LOGIN: RecorderContext = {
  actionName: 'first',
  protocol: 'oidc-basic-profile',
  handler: 'onExecutePostLogin',
  canRedirect: true,
};

/** A recorder with one action begun, like the trigger runner makes. */
export function recorderFor(
  context: Partial<RecorderContext> = {},
  limits?: Partial<RecorderLimits>,
): CommandRecorder {
  const recorder = new CommandRecorder(limits);
  recorder.begin({ ...LOGIN, ...context });
  return recorder;
}

/** What the sandbox stub does: JSON.stringify the arguments and flag the undefined ones. */
export function call(recorder: CommandRecorder, method: string, ...args: unknown[]): RecordResult {
  let mask = 0;
  for (let i = 0; i < args.length; i++) if (args[i] === undefined) mask |= 1 << i;
  return recorder.record(method, JSON.stringify(args), mask);
}

/** Calls once on a fresh recorder and returns the result with what it recorded. */
export function once(method: string, args: unknown[], context: Partial<RecorderContext> = {}) {
  const recorder = recorderFor(context);
  const result = call(recorder, method, ...args);
  return { result, commands: recorder.commands };
}

export function error(message: string, limit?: boolean): RecordResult {
  return limit === undefined ? { ok: false, message } : { ok: false, message, limit };
}
