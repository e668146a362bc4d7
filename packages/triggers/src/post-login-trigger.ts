import { type ActionsRuntime, buildPostLoginEvent, type RunResult } from '@tessera/actions';
import { continueUnchanged, type Logger, type PostLoginPort } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import { eventInput } from './event-input.ts';
import { metadataChanges, outcomeOf } from './outcome.ts';

export interface PostLoginTriggerDeps {
  storage: Storage;
  /** The actions runtime, created on first use: a tenant without bound actions never starts a sandbox. */
  runtime: () => ActionsRuntime;
  log: Logger;
}

const STATUS: Record<string, string> = { completed: 'success', denied: 'denied', failed: 'error' };

/**
 * The post-login trigger (DESIGN.md "How a login flows"): reads the tenant's bound, deployed actions,
 * builds the event from the real login, runs them, commits their metadata changes (also when the login
 * is denied: Auth0's deny does not cancel them), records the execution and answers with the outcome the
 * OIDC flow applies. A metadata commit that fails fails the login: no token reflects unsaved data.
 */
export function createPostLoginTrigger(deps: PostLoginTriggerDeps): PostLoginPort {
  return {
    async run(transaction) {
      const actions = await deps.storage.actions.deployedForTrigger(transaction.tenantId, 'post-login');
      if (actions.length === 0) return continueUnchanged.run(transaction);
      const started = new Date();
      const event = buildPostLoginEvent(await eventInput(deps.storage, transaction));
      const result = await deps
        .runtime()
        .run({ tenantId: transaction.tenantId, trigger: 'post-login', event, actions });
      const secrets = (actionId: string, name: string) =>
        actions.find((a) => a.id === actionId)?.secrets[name];
      // A failed run commits nothing: its changes may be half of what the actions meant to do.
      const changes = result.outcome === 'failed' ? undefined : metadataChanges(result.commands, secrets);
      if (changes !== undefined)
        await deps.storage.users.mergeMetadata(transaction.tenantId, transaction.userId, changes);
      const executionId = await record(deps, transaction, actions, result, started);
      const outcome = outcomeOf(result, secrets);
      deps.log.info(
        {
          tenant: transaction.tenantId,
          trigger: 'post-login',
          actions: actions.map((a) => a.name),
          outcome: result.outcome === 'failed' ? `failed:${result.kind}` : result.outcome,
          durationMs: result.durationMs,
          execution: executionId,
        },
        'post-login trigger ran',
      );
      return outcome;
    },
  };
}

/** The execution record an admin reads (secrets are already redacted by the runtime). */
async function record(
  deps: PostLoginTriggerDeps,
  transaction: { tenantId: string; userId: string; clientId: string },
  actions: Array<{ id: string; name: string; versionId: string }>,
  result: RunResult,
  started: Date,
): Promise<string | undefined> {
  const results = result.actions.map((report) => ({
    action_id: report.id,
    action_name: report.name,
    version_id: actions.find((a) => a.id === report.id)?.versionId,
    handler: report.handler,
    duration_ms: report.durationMs,
    error: report.error ?? null,
    commands: result.commands.filter((c) => c.action === report.name),
    logs: result.logs.filter((l) => l.action === report.name),
  }));
  try {
    return await deps.storage.executions.create(transaction.tenantId, {
      triggerId: 'post-login',
      status:
        result.outcome === 'completed' && result.pause !== undefined
          ? 'paused'
          : (STATUS[result.outcome] ?? 'error'),
      results:
        result.outcome === 'failed'
          ? [...results, { error: { kind: result.kind, message: result.message } }]
          : results,
      clientId: transaction.clientId,
      userId: transaction.userId,
      startedAt: started,
      endedAt: new Date(),
      durationMs: result.durationMs,
    });
  } catch (error) {
    // The login's outcome does not depend on its record; a lost record is logged, not fatal.
    deps.log.error(
      { err: error, tenant: transaction.tenantId },
      'could not store the post-login execution record',
    );
    return undefined;
  }
}
