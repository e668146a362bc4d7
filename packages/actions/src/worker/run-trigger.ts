import { CacheView } from '../cache/cache-view.ts';
import { applyToEvent } from '../commands/apply-to-event.ts';
import { CommandRecorder } from '../commands/recorder.ts';
import { type Command, DENYING } from '../commands/types.ts';
import type { EgressPolicy } from '../egress/policy.ts';
import type { ActionReport, ActionToRun, FailureKind, RunResult } from '../result.ts';
import { LogSink } from './log-sink.ts';
import type { WorkerRun, WorkerSettings } from './protocol.ts';
import { MIN_SECRET_LENGTH, secretRedactor } from './redact.ts';
import { BUDGET_EXCEEDED, runAction } from './run-action.ts';
import type { TenantIsolates } from './tenant-isolate.ts';

/** Protocols where the user's browser is not there to be redirected (Auth0: canRedirect() false). */
const NO_BROWSER = new Set([
  'oauth2-refresh-token',
  'oauth2-resource-owner',
  'oauth2-resource-owner-jwt-bearer',
  'oauth2-device-code',
  'oauth2-token-exchange',
  'oauth2-password',
]);

type EventShape = {
  user?: { user_id?: unknown };
  request?: { hostname?: unknown; ip?: unknown; query?: unknown; body?: unknown };
  transaction?: { protocol?: unknown; prompt?: unknown };
};

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * Runs a trigger's actions in order inside one worker (docs/actions.md#running-a-trigger): one
 * shared event, each action in its own fresh context with only its own secrets, commands recorded in
 * call order; a denying command ends the run after its action, a pausing one (redirect, prompt, MFA)
 * suspends it; a failure stops it. Metadata changes are applied to the event before the next action.
 */
export async function runTrigger(
  run: WorkerRun,
  isolates: TenantIsolates,
  settings: WorkerSettings,
  onEffect: () => void,
): Promise<{ result: RunResult; cache: CacheView['mutations'] }> {
  const started = Date.now();
  const deadline = started + run.budgetMs;
  const { input } = run;
  const event = structuredClone(input.event) as unknown as Record<string, unknown> & EventShape;
  const session = record((event as { session?: unknown }).session);
  const recorder = new CommandRecorder(undefined, {
    sessionMetadataKeys: Object.keys(record(session.metadata)),
  });
  const logs = new LogSink();
  const cache = new CacheView(run.cache);
  const redact = secretRedactor(input.actions.flatMap((a) => Object.values(a.secrets)));
  const protocol = String(event.transaction?.protocol ?? '');
  const prompt = Array.isArray(event.transaction?.prompt) ? event.transaction.prompt : [];
  const canRedirect = !NO_BROWSER.has(protocol) && !prompt.includes('none');
  const egress: EgressPolicy = {
    ...settings.egress,
    allowHosts: [...settings.operatorAllowHosts, ...(input.egressAllowHosts ?? [])],
  };
  const reports: ActionReport[] = [];
  type Ending =
    | { outcome: 'completed'; pause?: RunResult['commands'][number] }
    | { outcome: 'denied'; denial: RunResult['commands'][number] }
    | { outcome: 'failed'; kind: FailureKind; action: { id: string; name: string }; message: string };
  const finish = (result: Ending) => {
    const redacted = redact({
      ...result,
      commands: recorder.commands.map((command) => withSecretRef(command, input.actions)),
      actions: reports,
      logs: logs.entries,
      durationMs: Date.now() - started,
    }) as RunResult;
    // The trigger layer answers prompt=none logins whose action wanted a page with interaction_required.
    if (redacted.outcome === 'failed' && recorder.interactionRefused) redacted.interactionRefused = true;
    // The browser is sent to the URL the action built, secrets in it included (its choice, as in Auth0).
    if (
      redacted.outcome === 'completed' &&
      result.outcome === 'completed' &&
      result.pause?.type === 'redirect.sendUserTo'
    )
      redacted.redirectTo = result.pause.url;
    return { result: redacted, cache: cache.mutations };
  };

  const first = input.resume?.index ?? 0;
  for (let index = first; index < input.actions.length; index++) {
    const action = input.actions[index];
    if (action === undefined) break;
    const handler =
      input.resume !== undefined && index === input.resume.index
        ? 'onContinuePostLogin'
        : 'onExecutePostLogin';
    recorder.begin({
      actionName: action.name,
      protocol,
      handler,
      canRedirect,
      allowHttpRedirects: input.allowHttpRedirects === true,
    });
    const before = recorder.commands.length;
    const actionStarted = Date.now();
    const request = record(event.request);
    const outcome = await runAction({
      tenant: isolates.get(input.tenantId),
      reacquire: () => isolates.get(input.tenantId),
      action,
      handler,
      eventJson: JSON.stringify({ ...event, secrets: action.secrets }),
      contextJson: JSON.stringify({ canRedirect, handler }),
      host: {
        actionName: action.name,
        recorder,
        logs,
        cache,
        token: {
          hostname: String(request.hostname ?? ''),
          userId: String(event.user?.user_id ?? ''),
          ip: String(request.ip ?? ''),
          state: input.resume?.state,
          query: record(request.query),
          body: record(request.body),
        },
        egress,
        onEffect,
      },
      deadline,
      cpuMs: settings.cpuMs,
    });
    const report: ActionReport = {
      id: action.id,
      name: action.name,
      handler,
      durationMs: Date.now() - actionStarted,
      commands: recorder.commands.length - before,
    };
    reports.push(report);
    const limit = recorder.limitExceeded;
    if (!outcome.ok || limit !== undefined) {
      const kind: FailureKind = limit !== undefined ? 'limit' : outcome.ok ? 'runtime' : outcome.kind;
      const message = limit ?? (outcome.ok ? '' : outcome.message);
      report.error = { kind, message };
      return finish({ outcome: 'failed', kind, action: { id: action.id, name: action.name }, message });
    }
    applyToEvent(event, recorder.commands.slice(before));
    const stop = recorder.stopping();
    if (stop !== undefined) {
      if (DENYING.has(stop.type)) return finish({ outcome: 'denied', denial: stop });
      return finish({ outcome: 'completed', pause: stop });
    }
    if (Date.now() >= deadline) {
      return finish({
        outcome: 'failed',
        kind: 'timeout',
        action: { id: action.id, name: action.name },
        message: BUDGET_EXCEEDED,
      });
    }
  }
  return finish({ outcome: 'completed' });
}

/** A command whose whole value is one of its own action's secrets carries a reference instead (see Command). */
function withSecretRef(command: Command, actions: readonly ActionToRun[]): Command {
  if (!('value' in command) || typeof command.value !== 'string' || command.value.length < MIN_SECRET_LENGTH)
    return command;
  for (const action of actions) {
    if (action.name !== command.action) continue;
    const found = Object.entries(action.secrets).find(([, value]) => value === command.value);
    if (found !== undefined)
      return {
        ...command,
        value: '[REDACTED]',
        secretRef: { actionId: action.id, name: found[0] },
      } as Command;
  }
  return command;
}
