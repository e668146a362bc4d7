import { createHash } from 'node:crypto';
import {
  type ActionsRuntime,
  type ActionsRuntimeOptions,
  ALLOWED_MODULES,
  completePostLoginEvent,
  createActionsRuntime,
  type RunResult,
} from '@tessera/actions';
import { type ActionsAdminPort, InvalidRequestError } from '@tessera/core';

type TestResponse = Awaited<ReturnType<ActionsAdminPort['test']>>;

import { createMemoryKv } from '@tessera/storage';

/**
 * The sandbox as the Management API uses it. Code checks share the login runtime's workers; test
 * runs (`POST /actions/actions/{id}/test`) get their own one-worker runtime over an in-memory cache,
 * started on first use, so a test can neither read nor write the tenant's real `api.cache` nor
 * occupy the workers logins wait for. A test run's commands are only reported: nothing applies them
 * (no metadata write, no token, no execution record).
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
    allowedModules: ALLOWED_MODULES,
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
        const message = check.problems
          .map((p) =>
            p.line === undefined ? p.message : `${p.message} (line ${p.line}, column ${p.column})`,
          )
          .join('; ');
        return {
          payload: {
            outcome: 'failed',
            commands: [],
            logs: '',
            stats: { action_duration_ms: 0 },
            error: { id: check.kind, msg: message },
          },
        };
      }
      const result = await runtime.run({
        // Its own cache namespace as well as its own store: a test never shares a login's cache.
        tenantId: `test:${tenantId}`,
        trigger: 'post-login',
        event,
        // Compiled scripts are cached per version id: naming the version by its code's hash means a
        // test never runs an earlier draft's compiled script, and equal drafts share one.
        actions: [{ id: 'test', name: 'test', versionId: `test:${sha256(code)}`, code, secrets }],
      });
      return testPayload(result);
    },
    close: async () => {
      await testRuntime?.close();
    },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Auth0's test response `{ payload: { logs, stats, error? } }` (logs as one string, as Auth0 shows
 * them), plus what Tessera knows beyond it: the outcome and the api calls the action made (secrets
 * already redacted by the runtime).
 */
function testPayload(result: RunResult): TestResponse {
  return {
    payload: {
      outcome: result.outcome,
      commands: result.commands,
      logs: result.logs
        .map((entry) => `${entry.level === 'log' ? '' : `[${entry.level}] `}${entry.message}`)
        .join('\n'),
      stats: { action_duration_ms: result.durationMs },
      ...(result.outcome === 'failed' ? { error: { id: result.kind, msg: result.message } } : {}),
    },
  };
}
