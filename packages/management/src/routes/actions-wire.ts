import { NotFoundError } from '@tessera/core';
import type {
  ActionRecord,
  ActionVersionRecord,
  BindingRecord,
  ExecutionRecord,
  SecretInfo,
} from '@tessera/storage';
import { inexistent } from '../errors.ts';
import { ANY, arrayOf, BOOLEAN, INTEGER, object, STRING, STRINGS } from '../responses.ts';

/** The one trigger Tessera runs, as Auth0's `/actions/triggers` describes a trigger. */
export const POST_LOGIN = {
  id: 'post-login',
  version: 'v3',
  status: 'CURRENT',
  // Accepted names; every action runs in Tessera's one sandbox (Node 24 isolates) whatever it says.
  runtimes: ['node18', 'node22'],
  default_runtime: 'node22',
  compatible_triggers: [],
  binding_policy: 'trigger-bound',
} as const;

const SECRET_INFO = arrayOf(object({ name: STRING, updated_at: STRING }));
const TRIGGER_REFS = arrayOf(object({ id: STRING, version: STRING }));
const DEPENDENCIES = arrayOf(object({ name: STRING, version: STRING, registry_url: STRING }));
const ACTION_BASE = {
  id: STRING,
  name: STRING,
  supported_triggers: TRIGGER_REFS,
  all_changes_deployed: BOOLEAN,
  created_at: STRING,
  updated_at: STRING,
} as const;
const VERSION_FIELDS = {
  id: STRING,
  action_id: STRING,
  code: STRING,
  dependencies: DEPENDENCIES,
  deployed: BOOLEAN,
  number: INTEGER,
  runtime: STRING,
  secrets: SECRET_INFO,
  status: STRING,
  supported_triggers: TRIGGER_REFS,
  built_at: STRING,
  created_at: STRING,
  updated_at: STRING,
} as const;

/** Auth0's ActionVersion (versionWire): secrets by name only. */
export const ACTION_VERSION = object({ ...VERSION_FIELDS, action: object(ACTION_BASE) });

/** Auth0's Action (actionWire): the draft, its secrets' names, the deployed version. */
export const ACTION = object({
  ...ACTION_BASE,
  code: STRING,
  dependencies: DEPENDENCIES,
  runtime: STRING,
  secrets: SECRET_INFO,
  status: STRING,
  deployed_version: object(VERSION_FIELDS),
});

/** Auth0's trigger (POST_LOGIN). */
export const TRIGGER = object({
  id: STRING,
  version: STRING,
  status: STRING,
  runtimes: STRINGS,
  default_runtime: STRING,
  compatible_triggers: arrayOf(ANY),
  binding_policy: STRING,
});

/** Auth0's binding of an action to a trigger (bindingWire). */
export const BINDING = object({
  id: STRING,
  trigger_id: STRING,
  display_name: STRING,
  action: ACTION,
  created_at: STRING,
  updated_at: STRING,
});

/** Auth0's execution (executionWire): one result per action, with the run's own failure last. */
export const EXECUTION = object({
  id: STRING,
  trigger_id: STRING,
  status: STRING,
  outcome: STRING,
  results: arrayOf(
    object({
      action_name: STRING,
      error: ANY,
      started_at: STRING,
      ended_at: STRING,
      duration_ms: ANY,
      action_id: STRING,
      version_id: STRING,
      handler: STRING,
      commands: ANY,
      logs: ANY,
    }),
  ),
  created_at: STRING,
  updated_at: STRING,
  client_id: ANY,
  user_id: ANY,
  duration_ms: ANY,
});

export const actionNotFound = () => inexistent('action', 'The action does not exist.');
export const versionNotFound = () => inexistent('action_version', 'The action version does not exist.');

/** The repository's NotFoundError (not in this tenant) as Auth0's `inexistent_<resource>` 404. */
export async function orNotFound<T>(work: Promise<T>, notFound: () => Error): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof NotFoundError ? notFound() : error;
  }
}

const iso = (date: Date) => date.toISOString();
const secrets = (list: SecretInfo[]) => list.map((s) => ({ name: s.name, updated_at: iso(s.updatedAt) }));

/** Auth0's ActionBase: what a version says of its action. */
const actionBase = (action: ActionRecord) => ({
  id: action.id,
  name: action.name,
  supported_triggers: action.supportedTriggers,
  all_changes_deployed: action.allChangesDeployed,
  created_at: iso(action.createdAt),
  updated_at: iso(action.updatedAt),
});

/** Auth0's ActionVersion; versions never change, so `updated_at` is when it was made. */
export function versionWire(version: ActionVersionRecord, action?: ActionRecord) {
  return {
    id: version.id,
    action_id: version.actionId,
    code: version.code,
    dependencies: version.dependencies,
    deployed: version.deployed,
    number: version.number,
    runtime: version.runtime,
    secrets: secrets(version.secrets),
    status: version.status,
    supported_triggers: version.supportedTriggers,
    built_at: iso(version.createdAt),
    created_at: iso(version.createdAt),
    updated_at: iso(version.createdAt),
    ...(action === undefined ? {} : { action: actionBase(action) }),
  };
}

/** Auth0's Action: the draft, its secrets' names (never values) and the deployed version. */
export function actionWire(action: ActionRecord) {
  return {
    ...actionBase(action),
    code: action.code,
    dependencies: action.dependencies,
    runtime: action.runtime,
    secrets: secrets(action.secrets),
    status: action.status,
    ...(action.deployedVersion === null ? {} : { deployed_version: versionWire(action.deployedVersion) }),
  };
}

export const bindingWire = (binding: BindingRecord) => ({
  id: binding.id,
  trigger_id: binding.triggerId,
  display_name: binding.displayName,
  action: actionWire(binding.action),
  created_at: iso(binding.createdAt),
  updated_at: iso(binding.updatedAt),
});

/** What the post-login trigger writes per action (packages/triggers `record`). */
interface StoredResult {
  action_id?: string;
  action_name?: string;
  version_id?: string;
  handler?: string;
  duration_ms?: number;
  error?: { kind: string; message: string } | null;
  commands?: unknown[];
  logs?: unknown[];
}

// Auth0's execution status says whether the run is over (`final`) or waits for the browser's return
// from a redirect (`suspended`); how it ended (Tessera's `success` | `denied` | `error`) stays in
// `outcome`, and a failure in the failing action's `error`.
const STATUS: Record<string, string> = { paused: 'suspended' };

/**
 * Auth0's execution: one result per action that ran, `{ action_name, error: { id, msg }, started_at,
 * ended_at }`, keeping Tessera's extras (action and version ids, handler, duration, the api calls and
 * console lines, secrets redacted). Actions run one after the other and the trigger records each
 * one's duration, so each action's start is the run's start plus the durations before it.
 */
export function executionWire(execution: ExecutionRecord) {
  let at = execution.startedAt.getTime();
  const stored = execution.results as StoredResult[];
  const ran = stored.filter((r) => r.action_name !== undefined);
  // A failed run also stores its failure as a last entry without an action; it is only worth
  // reporting when no action carries it (a failure outside any action, such as a crashed worker).
  const runFailure = stored.find((r) => r.action_name === undefined && r.error);
  const results: Record<string, unknown>[] = ran.map((result) => {
    const started = at;
    at += result.duration_ms ?? 0;
    const { action_name, error, duration_ms, ...extras } = result;
    return {
      action_name,
      error: error ? { id: error.kind, msg: error.message } : null,
      started_at: new Date(started).toISOString(),
      ended_at: new Date(at).toISOString(),
      duration_ms,
      ...extras,
    };
  });
  if (runFailure?.error && !ran.some((r) => r.error?.message === runFailure.error?.message)) {
    results.push({
      error: { id: runFailure.error.kind, msg: runFailure.error.message },
      started_at: execution.startedAt.toISOString(),
      ended_at: (execution.endedAt ?? execution.startedAt).toISOString(),
    });
  }
  return {
    id: execution.id,
    trigger_id: execution.triggerId,
    status: STATUS[execution.status] ?? 'final',
    outcome: execution.status,
    results,
    created_at: execution.startedAt.toISOString(),
    updated_at: (execution.endedAt ?? execution.startedAt).toISOString(),
    client_id: execution.clientId,
    user_id: execution.userId,
    duration_ms: execution.durationMs,
  };
}
