import { isJsonObject } from '@tessera/core';
import {
  ATTACK_PROTECTION_DEFAULTS,
  type AttackProtectionResource,
  attackProtectionChanges,
  attackProtectionOf,
  parseAllowlistEntry,
} from '@tessera/storage';
import type { FastifyRequest } from 'fastify';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { invalidBody } from '../errors.ts';
import { ANY, EMPTY_OBJECT, object } from '../responses.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

const READ = { scopes: ['read:attack_protection'] };
const UPDATE = (audit: string) => ({ scopes: ['update:attack_protection'], audit });

// Auth0's request schemas (Management API v2), closed to unknown members (docs/security.md#40).
const ALLOWLIST = { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 64 } };
const shields = (values: string[]) => ({
  type: 'array',
  uniqueItems: true,
  maxItems: values.length,
  items: { type: 'string', enum: values },
});
const stage = (maxAttempts: number, minRate: number) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    max_attempts: { type: 'integer', minimum: 1, maximum: maxAttempts },
    rate: { type: 'integer', minimum: minRate, maximum: 86_400_000 },
  },
});
const closed = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

const BODIES: Record<AttackProtectionResource, object> = {
  'brute-force-protection': closed({
    enabled: { type: 'boolean' },
    shields: shields(['block', 'user_notification']),
    allowlist: ALLOWLIST,
    mode: { type: 'string', enum: ['count_per_identifier_and_ip', 'count_per_identifier'] },
    max_attempts: { type: 'integer', minimum: 1, maximum: 100 },
  }),
  'suspicious-ip-throttling': closed({
    enabled: { type: 'boolean' },
    shields: shields(['block', 'admin_notification']),
    allowlist: ALLOWLIST,
    stage: closed({ 'pre-login': stage(2500, 34_560), 'pre-user-registration': stage(72_000, 1200) }),
  }),
  'breached-password-detection': closed({
    enabled: { type: 'boolean' },
    shields: shields(['block', 'user_notification', 'admin_notification']),
    admin_notification_frequency: shields(['immediately', 'daily', 'weekly', 'monthly']),
    method: { type: 'string', enum: ['standard', 'enhanced'] },
    stage: closed({
      'pre-user-registration': closed({ shields: shields(['block', 'admin_notification']) }),
      'pre-change-password': closed({ shields: shields(['block', 'admin_notification']) }),
    }),
  }),
};

/** What each resource refuses although Auth0's schema allows it (checked after the schema). */
const REFUSALS: Record<AttackProtectionResource, (body: Record<string, unknown>) => void> = {
  'brute-force-protection': (body) => {
    checkAllowlist(body.allowlist);
    if (body.mode === 'count_per_identifier') {
      throw invalidBody(
        "Payload validation error: 'count_per_identifier is not supported: failures from one address must never lock the owner out from another (docs/security.md#42)' on property mode.",
      );
    }
  },
  'suspicious-ip-throttling': (body) => checkAllowlist(body.allowlist),
  'breached-password-detection': (body) => {
    if (body.enabled === true)
      throw featureNotEnabled(
        'Breached password detection is not available in Tessera: no password is checked against breach data',
      );
  },
};

/**
 * Auth0's attack protection (`/attack-protection/*`, scopes `read:attack_protection` and
 * `update:attack_protection`). Brute-force protection and suspicious IP throttling are the login
 * pages' own limits (storage's login-policy.ts applies them at each attempt); breached password
 * detection keeps its configuration but cannot be enabled; bot detection and CAPTCHA answer as for an
 * Auth0 plan without them. PATCH merges: fields not named keep their value.
 */
export function attackProtectionRoutes(api: ManagementApi, deps: ManagementDeps): void {
  for (const resource of Object.keys(BODIES) as AttackProtectionResource[]) {
    const path = `/attack-protection/${resource}`;
    const response = { 200: shapeOf(ATTACK_PROTECTION_DEFAULTS[resource]) };
    api.get(path, { config: READ, schema: { response } }, async (request) =>
      attackProtectionOf(await settingsOf(deps, request), resource),
    );
    // The body is typed here: BODIES are built per resource by helpers json-schema-to-ts cannot read.
    api.patch<{ Body: Record<string, unknown> }>(
      path,
      { config: UPDATE(`Update ${resource} settings`), schema: { body: BODIES[resource], response } },
      async (request) => {
        REFUSALS[resource](request.body);
        const tenant = await deps.storage.tenants.updateSettings(request.tenant.id, {
          settings: attackProtectionChanges(resource, request.body),
        });
        // The password grant reads the tenant its provider was built from; the login pages read the
        // Host → tenant cache, which sees the change within its 5 s on every process.
        deps.invalidateTenant(tenant.id);
        return attackProtectionOf(tenant.settings, resource);
      },
    );
  }

  for (const [resource, name] of [
    ['bot-detection', 'Bot detection'],
    ['captcha', 'CAPTCHA'],
  ] as const) {
    const refuse = async () => {
      throw featureNotEnabled(`${name} is not available in Tessera`);
    };
    const nothing = { 200: EMPTY_OBJECT };
    api.get(`/attack-protection/${resource}`, { config: READ, schema: { response: nothing } }, refuse);
    api.patch(
      `/attack-protection/${resource}`,
      {
        config: UPDATE(`Update ${resource} settings`),
        schema: { body: ANY_BODY, response: nothing },
      },
      refuse,
    );
  }
}

/**
 * The answer's schema, from the settings' defaults (attackProtectionOf answers exactly their members):
 * the objects closed to those members, the values as stored (BODIES checked them on the way in).
 */
function shapeOf(value: unknown): object {
  if (!isJsonObject(value)) return ANY;
  return object(Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)])));
}

/** Fresh from the database: the tenant on the request may be up to 5 s old (the Host → tenant cache). */
async function settingsOf(deps: ManagementDeps, request: FastifyRequest) {
  return ((await deps.storage.tenants.findById(request.tenant.id)) ?? request.tenant).settings;
}

function checkAllowlist(allowlist: unknown): void {
  if (!Array.isArray(allowlist)) return;
  const bad = allowlist.find((entry) => parseAllowlistEntry(String(entry)) === undefined);
  if (bad !== undefined) {
    throw invalidBody(
      `Payload validation error: 'Not an IPv4 or IPv6 address or CIDR range: ${JSON.stringify(String(bad).slice(0, 64))}' on property allowlist.`,
    );
  }
}
