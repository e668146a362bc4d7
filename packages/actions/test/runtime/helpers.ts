import { after, before } from 'node:test';
import { createTestKv, type TestKv } from '@tessera/testing';
import {
  type ActionsRuntime,
  type ActionsRuntimeOptions,
  type ActionToRun,
  createActionsRuntime,
  defaultPostLoginEvent,
  type PostLoginEvent,
  type RunInput,
  type RunResult,
} from '../../src/index.ts';

let counter = 0;

/** An action to run: code plus a unique version id (compiled scripts are cached per version). */
export function action(code: string, options: Partial<Omit<ActionToRun, 'code'>> = {}): ActionToRun {
  counter++;
  return {
    id: options.id ?? `act_${counter}`,
    name: options.name ?? `action-${counter}`,
    versionId: options.versionId ?? `ver_${counter}_${Date.now()}`,
    code,
    secrets: options.secrets ?? {},
  };
}

/** `exports.onExecutePostLogin = async (event, api) => { <body> };` */
export const handler = (body: string) => `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};`;

export interface RuntimeFixture {
  runtime: ActionsRuntime;
  kv: TestKv;
  /** Runs actions against the default event (with `event` overrides) for tenant `tenantId`. */
  run(
    actions: ActionToRun[] | string,
    options?: Partial<RunInput> & { patch?: (event: PostLoginEvent) => void },
  ): Promise<RunResult>;
}

/**
 * One real runtime (worker processes, isolates) per test file, started before its tests and closed
 * after. The KV store is Redis under a private prefix when REDIS_URL is set, in process otherwise.
 */
export function useRuntime(options: Partial<Omit<ActionsRuntimeOptions, 'kv'>> = {}): RuntimeFixture {
  const fixture = {} as RuntimeFixture;
  before(async () => {
    fixture.kv = await createTestKv();
    fixture.runtime = createActionsRuntime({ workers: 2, ...options, kv: fixture.kv.kv });
    await fixture.runtime.ready();
  });
  after(async () => {
    await fixture.runtime?.close();
    await fixture.kv?.cleanup();
  });
  fixture.run = (actions, runOptions = {}) => {
    const event = defaultPostLoginEvent();
    runOptions.patch?.(event);
    const { patch: _patch, ...rest } = runOptions;
    return fixture.runtime.run({
      tenantId: 'tenant-a',
      trigger: 'post-login',
      event,
      actions: typeof actions === 'string' ? [action(actions)] : actions,
      ...rest,
    });
  };
  return fixture;
}
