import type { ResourceServer, ResourceServerScope, Storage } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import { invalidBody } from '../errors.ts';
import { BOOLEAN, INTEGER, object, STRING } from '../responses.ts';
import { requireSigningAlg, TOKEN_ALGS } from './signing-alg.ts';

/**
 * The name tools know Auth0's own Management API by: Auth0's deploy CLI leaves the resource server of
 * that name alone (never exports or updates it). Tessera's system API answers under it whatever name
 * it was stored with (first runs before this stored "Tessera Management API"), and no other API may
 * take it, so the tool never mistakes a tenant's own API for the system one.
 */
export const SYSTEM_API_NAME = 'Auth0 Management API';

/** Auth0's resource server properties Tessera implements (the identifier is set once, on create). */
export const PROPERTIES = {
  name: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^<>]+$' },
  scopes: {
    type: 'array',
    maxItems: 1000,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['value'],
      properties: {
        value: { type: 'string', minLength: 1, maxLength: 280, pattern: '^\\S+$' },
        description: { type: 'string', maxLength: 500 },
      },
    },
  },
  signing_alg: { type: 'string', enum: TOKEN_ALGS },
  token_lifetime: { type: 'integer', minimum: 1, maximum: 2_592_000 },
  allow_offline_access: { type: 'boolean' },
  skip_consent_for_verifiable_first_party_clients: { type: 'boolean' },
  enforce_policies: { type: 'boolean' },
  token_dialect: {
    type: 'string',
    enum: ['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'],
  },
} as const;

const BODY = { type: 'object', properties: PROPERTIES } as const;
/** The settings of a POST or PATCH body (the identifier apart). */
export type Body = FromSchema<typeof BODY>;

/** Auth0's resource server (toWire). */
export const RESOURCE_SERVER = object({
  id: STRING,
  name: STRING,
  identifier: STRING,
  is_system: BOOLEAN,
  scopes: { type: 'array', items: object({ value: STRING, description: STRING }) },
  signing_alg: STRING,
  token_lifetime: INTEGER,
  allow_offline_access: BOOLEAN,
  skip_consent_for_verifiable_first_party_clients: BOOLEAN,
  enforce_policies: BOOLEAN,
  token_dialect: STRING,
});

/**
 * What the schema cannot say: an algorithm the tenant can sign with, each scope listed once, and not
 * the system API's name.
 */
export async function checkSettings(storage: Storage, tenantId: string, body: Body) {
  if (body.name === SYSTEM_API_NAME)
    throw invalidBody(
      `Payload validation error: the name '${SYSTEM_API_NAME}' is reserved for the system API on property name.`,
    );
  if (body.signing_alg) await requireSigningAlg(storage, tenantId, body.signing_alg, 'signing_alg');
  const values = body.scopes?.map((scope) => scope.value) ?? [];
  const repeated = values.find((value, index) => values.indexOf(value) !== index);
  if (repeated)
    throw invalidBody(
      `Payload validation error: the scope '${repeated}' is listed twice on property scopes.`,
    );
}

/** Wire names → storage names; only what the body says (a PATCH changes only those fields). */
export function toInput(body: Body) {
  const input = {
    name: body.name,
    scopes: body.scopes?.map(
      ({ value, description }): ResourceServerScope => ({ value, description: description ?? '' }),
    ),
    signingAlg: body.signing_alg,
    tokenLifetime: body.token_lifetime,
    allowOfflineAccess: body.allow_offline_access,
    skipConsentForVerifiableFirstPartyClients: body.skip_consent_for_verifiable_first_party_clients,
    enforcePolicies: body.enforce_policies,
    tokenDialect: body.token_dialect,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** Auth0's resource server shape. */
export function toWire(server: ResourceServer): Record<string, unknown> {
  return {
    id: server.id,
    name: server.isSystem ? SYSTEM_API_NAME : server.name,
    identifier: server.identifier,
    is_system: server.isSystem,
    scopes: server.scopes,
    signing_alg: server.signingAlg,
    token_lifetime: server.tokenLifetime,
    allow_offline_access: server.allowOfflineAccess,
    skip_consent_for_verifiable_first_party_clients: server.skipConsentForVerifiableFirstPartyClients,
    enforce_policies: server.enforcePolicies,
    token_dialect: server.tokenDialect,
  };
}
