import type { ActionTriggerRef } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import { invalidBody } from '../errors.ts';
import { POST_LOGIN } from './actions-wire.ts';
import { READ_ONLY_ID, TIMESTAMP, TIMESTAMPS } from './read-only.ts';

/** Auth0's ActionTrigger as a request may carry it; only `id` and `version` mean anything here. */
const TRIGGER = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', maxLength: 64 },
    version: { type: 'string', maxLength: 16 },
    status: { type: 'string', maxLength: 32 },
    runtimes: { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 32 } },
    default_runtime: { type: 'string', maxLength: 32 },
    compatible_triggers: { type: 'array', maxItems: 16 },
    binding_policy: { type: 'string', maxLength: 32 },
  },
} as const;

const DEPENDENCY = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version'],
  properties: {
    name: { type: 'string', maxLength: 214 },
    version: { type: 'string', maxLength: 256 },
    registry_url: { type: 'string', maxLength: 2048 },
  },
} as const;

// The limits on secrets (30, names ≤ 128, values ≤ 4 KB) are the repository's, with its messages;
// the schema only bounds the request. A value is optional, as in Auth0 (`ActionSecretRequest`): on
// PATCH a named secret without one keeps its value, a new one starts empty (action-secrets.ts).
// `updated_at` is what GET shows of a secret, accepted and ignored so a read action can be sent back.
const SECRET = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 1024 },
    value: { type: 'string', maxLength: 65_536 },
    updated_at: TIMESTAMP,
  },
} as const;
const SECRETS = { type: 'array', maxItems: 100, items: SECRET } as const;

// What GET returns of an action and no write sets (read-only.ts): its own id must match; the state
// the server keeps (times, build status, the deployed version) is ignored.
const READ_ONLY = {
  id: READ_ONLY_ID,
  ...TIMESTAMPS,
  all_changes_deployed: { type: 'boolean' },
  status: { type: 'string', maxLength: 32 },
  deployed_version: { type: 'object' },
} as const;

// Drafts may exceed the 100 KB an action may have (Auth0 lets a draft be saved as it is): deploy is
// the gate, refusing such code with the size in its message. The bound here only caps the row.
const DRAFT_CODE_MAX = 512 * 1024;

const FIELDS = {
  name: { type: 'string', minLength: 1, maxLength: 256 },
  supported_triggers: { type: 'array', minItems: 1, maxItems: 1, items: TRIGGER },
  code: { type: 'string', maxLength: DRAFT_CODE_MAX },
  dependencies: { type: 'array', maxItems: 100, items: DEPENDENCY },
  runtime: { type: 'string', maxLength: 32 },
  modules: { type: 'array', maxItems: 100 },
} as const;

export const CREATE_ACTION = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'supported_triggers'],
  properties: { ...FIELDS, secrets: SECRETS, deploy: { type: 'boolean' } },
} as const;

export const UPDATE_ACTION = {
  type: 'object',
  additionalProperties: false,
  properties: { ...FIELDS, ...READ_ONLY, secrets: SECRETS },
} as const;

const ACTION_FIELDS = { type: 'object', properties: { ...FIELDS, secrets: SECRETS } } as const;
/** What a create or update body says of the action itself. */
export type ActionBody = FromSchema<typeof ACTION_FIELDS>;

export { ID_PARAMS } from '../query.ts';

/**
 * What Tessera can run, checked beyond the schema: post-login v3 only, a runtime it accepts, and no
 * npm dependencies or Actions Modules: the sandbox has no npm, only its built-in modules.
 */
export function checkActionBody(
  body: ActionBody,
  allowedModules: readonly string[],
): {
  supportedTriggers?: ActionTriggerRef[];
} {
  if (body.dependencies !== undefined && body.dependencies.length > 0) {
    throw invalidBody(
      `Tessera actions cannot install npm dependencies; 'dependencies' must be empty. An action may require only the built-in modules ${allowedModules.join(', ')}.`,
    );
  }
  if (body.modules !== undefined && body.modules.length > 0)
    throw invalidBody(`Actions Modules are not supported by Tessera; 'modules' must be empty.`);
  if (body.runtime !== undefined && !(POST_LOGIN.runtimes as readonly string[]).includes(body.runtime)) {
    throw invalidBody(
      `Payload validation error: runtime must be one of ${POST_LOGIN.runtimes.join(', ')} (Tessera runs every action in its own sandbox).`,
    );
  }
  if (body.supported_triggers === undefined) return {};
  const supportedTriggers = body.supported_triggers.map((trigger) => {
    const version = trigger.version ?? POST_LOGIN.version;
    if (trigger.id !== POST_LOGIN.id || version !== POST_LOGIN.version) {
      throw invalidBody(
        `Tessera runs actions on the post-login trigger (version v3) only; '${trigger.id}' (${version}) is not supported.`,
      );
    }
    return { id: trigger.id, version };
  });
  return { supportedTriggers };
}
