import {
  type ActionsRuntime,
  type ActionsRuntimeOptions,
  completePostLoginEvent,
  createActionsRuntime,
  type RunResult,
} from '@tessera/actions';
import { type ActionsAdminPort, InvalidRequestError } from '@tessera/core';
import { createMemoryKv } from '@tessera/storage';

/**
 * The sandbox as the Management API uses it. Code checks share the login runtime's workers; test
 * runs (`POST /actions/actions/{id}/test`) get their own one-worker runtime over an in-memory cache,
 * started on first use, so a test can neither read nor write the tenant's real `api.cache` nor
 * occupy the workers logins wait for.
 */
export function createActionsAdmin(
  loginRuntime: () => ActionsRuntime,
  options: Omit<ActionsRuntimeOptions, 'kv' | 'workers'>,
): ActionsAdminPort & { close(): Promise<void> } {
  let testRuntime: ActionsRuntime | undefined;
  const tester = () => {
    testRuntime ??= createActionsRuntime({ ...options, workers: 1, kv: createMemoryKv() });
    return testRuntime;
  };
  return {
    async check(code) {
      const result = await loginRuntime().check(code);
      return result.ok ? { ok: true } : { ok: false, problems: result.problems };
    },
    async test({ tenantId, code, secrets, event: partial }) {
      let event: ReturnType<typeof completePostLoginEvent>;
      try {
        event = completePostLoginEvent(partial);
      } catch (error) {
        throw new InvalidRequestError(`payload: ${(error as Error).message}`);
      }
      const runtime = tester();
      const check = await runtime.check(code);
      if (!check.ok) {
        return testPayload({
          outcome: 'failed',
          kind: check.kind,
          action: undefined,
          message: check.problems.map((p) => p.message).join('; '),
          commands: [],
          actions: [],
          logs: [],
          durationMs: 0,
        });
      }
      const result = await runtime.run({
        tenantId,
        trigger: 'post-login',
        event,
        actions: [{ id: 'test', name: 'test', versionId: `test:${Date.now()}`, code, secrets }],
      });
      return testPayload(result);
    },
    close: async () => {
      await testRuntime?.close();
    },
  };
}

/** Auth0's test response: `{ payload: { commands, logs, stats, error? } }`, secrets redacted. */
function testPayload(result: RunResult): Record<string, unknown> {
  return {
    payload: {
      outcome: result.outcome,
      commands: result.commands,
      logs: result.logs.map((entry) => `${entry.level === 'log' ? '' : `[${entry.level}] `}${entry.message}`).join('\n'),
      stats: { action_duration_ms: result.durationMs },
      ...(result.outcome === 'failed' ? { error: { id: result.kind, msg: result.message } } : {}),
    },
  };
}
