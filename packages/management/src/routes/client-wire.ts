import type { Client, UpdateClientInput } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import { BOOLEAN, FREE_OBJECT, INTEGER, object, STRING, STRINGS } from '../responses.ts';
import { effectiveGrantTypes } from './client-checks.ts';
import { SAMLP_SCHEMA } from './samlp-schema.ts';
import { TOKEN_ALGS } from './signing-alg.ts';

/**
 * The grant types the provider serves (packages/oidc/src/client-metadata.ts keeps the same set).
 * `password` opens Auth0's Resource Owner Password grant and its realm extension both, as Auth0's
 * dashboard "Password" does; the extension's own name opens only the extension.
 */
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  'password',
  'http://auth0.com/oauth/grant-type/password-realm',
] as const;
export const APP_TYPES = ['spa', 'regular_web', 'native', 'non_interactive'] as const;
const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const;

const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const urls = { type: 'array', maxItems: 100, items: url } as const;

/** Auth0's client properties Tessera implements; anything else is refused (docs/security.md#40). */
export const CLIENT_PROPERTIES = {
  // Auth0: at least one character, no angle brackets.
  name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^<>]+$' },
  description: { type: 'string', maxLength: 140 },
  app_type: { type: 'string', enum: APP_TYPES },
  is_first_party: { type: 'boolean' },
  oidc_conformant: { type: 'boolean' },
  callbacks: urls,
  allowed_logout_urls: urls,
  web_origins: urls,
  allowed_origins: urls,
  grant_types: {
    type: 'array',
    maxItems: 10,
    uniqueItems: true,
    items: { type: 'string', enum: GRANT_TYPES },
  },
  token_endpoint_auth_method: { type: 'string', enum: AUTH_METHODS },
  logo_uri: url,
  initiate_login_uri: url,
  jwt_configuration: {
    type: 'object',
    additionalProperties: false,
    properties: {
      alg: { type: 'string', enum: TOKEN_ALGS },
      lifetime_in_seconds: { type: 'integer', minimum: 1, maximum: 2_592_000 },
      secret_encoded: { type: 'boolean' },
    },
  },
  refresh_token: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rotation_type: { type: 'string', enum: ['rotating', 'non-rotating'] },
      expiration_type: { type: 'string', enum: ['expiring', 'non-expiring'] },
      leeway: { type: 'integer', minimum: 0, maximum: 2_592_000 },
      token_lifetime: { type: 'integer', minimum: 1, maximum: 157_788_000 },
      infinite_token_lifetime: { type: 'boolean' },
      idle_token_lifetime: { type: 'integer', minimum: 1, maximum: 157_788_000 },
      infinite_idle_token_lifetime: { type: 'boolean' },
    },
  },
  // Auth0's limits: at most 10 keys, string values, names and values up to 255 characters.
  client_metadata: {
    type: 'object',
    maxProperties: 10,
    propertyNames: { minLength: 1, maxLength: 255 },
    additionalProperties: { type: 'string', maxLength: 255 },
  },
  // Only SAML (the `samlp` addon) is implemented; Auth0's other add-ons are refused, not stored and ignored.
  addons: { type: 'object', additionalProperties: false, properties: { samlp: SAMLP_SCHEMA } },
} as const;

const CLIENT_BODY = { type: 'object', properties: CLIENT_PROPERTIES } as const;
/** The client properties of a POST or PATCH body. */
export type ClientBody = FromSchema<typeof CLIENT_BODY>;

/**
 * Auth0's client as toWire answers it (and the global client, client-global.ts). The secret only in
 * the answers that make one (CLIENT_WITH_SECRET); the settings objects closed to what Tessera applies.
 */
export const CLIENT = object({
  tenant: STRING,
  global: BOOLEAN,
  client_id: STRING,
  name: STRING,
  description: STRING,
  app_type: STRING,
  is_first_party: BOOLEAN,
  oidc_conformant: BOOLEAN,
  callbacks: STRINGS,
  allowed_logout_urls: STRINGS,
  web_origins: STRINGS,
  allowed_origins: STRINGS,
  grant_types: STRINGS,
  token_endpoint_auth_method: STRING,
  jwt_configuration: object({ alg: STRING, lifetime_in_seconds: INTEGER, secret_encoded: BOOLEAN }),
  refresh_token: object({
    rotation_type: STRING,
    expiration_type: STRING,
    leeway: INTEGER,
    token_lifetime: INTEGER,
    infinite_token_lifetime: BOOLEAN,
    idle_token_lifetime: INTEGER,
    infinite_idle_token_lifetime: BOOLEAN,
  }),
  client_metadata: FREE_OBJECT,
  addons: FREE_OBJECT,
  logo_uri: STRING,
  initiate_login_uri: STRING,
  custom_login_page_on: BOOLEAN,
  created_at: STRING,
  updated_at: STRING,
});

const { client_id, ...AFTER_ID } = CLIENT.properties;
export const CLIENT_WITH_SECRET = object({ client_id, client_secret: STRING, ...AFTER_ID });

/**
 * The refresh-token settings the provider applies where a client stores none: Auth0's lifetimes
 * (30 days absolute, 15 days idle), rotating for a public client (token_endpoint_auth_method `none`),
 * as Auth0 sets up new SPAs and RFC 9700 §4.14.2 requires (docs/security.md#44), non-rotating
 * otherwise. A new public client is stored with them unless its body says otherwise.
 */
export function refreshTokenDefaults(tokenEndpointAuthMethod: string): Record<string, unknown> {
  return {
    rotation_type: tokenEndpointAuthMethod === 'none' ? 'rotating' : 'non-rotating',
    expiration_type: 'expiring',
    leeway: 0,
    token_lifetime: 2_592_000,
    infinite_token_lifetime: false,
    idle_token_lifetime: 1_296_000,
    infinite_idle_token_lifetime: false,
  };
}

/** Wire names → storage names; only what the body says (a PATCH changes only those fields). */
export function toInput(body: ClientBody): UpdateClientInput {
  const input: UpdateClientInput = {
    name: body.name,
    description: body.description,
    appType: body.app_type,
    isFirstParty: body.is_first_party,
    oidcConformant: body.oidc_conformant,
    callbacks: body.callbacks,
    allowedLogoutUrls: body.allowed_logout_urls,
    webOrigins: body.web_origins,
    allowedOrigins: body.allowed_origins,
    grantTypes: body.grant_types,
    tokenEndpointAuthMethod: body.token_endpoint_auth_method,
    logoUri: body.logo_uri,
    initiateLoginUri: body.initiate_login_uri,
    jwtConfiguration: body.jwt_configuration,
    refreshToken: body.refresh_token,
    clientMetadata: body.client_metadata,
    addons: body.addons,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * Auth0's client as the wire shows it, with the settings the provider actually applies where the
 * stored value is empty (token and refresh-token lifetimes, grant types). Never the secret: only
 * its HMAC is stored (POST and rotate-secret add it to their answer once).
 */
export function toWire(client: Client, tenantName: string): Record<string, unknown> {
  const jwt = client.jwtConfiguration;
  const refresh = client.refreshToken;
  const wire: Record<string, unknown> = {
    tenant: tenantName,
    global: false,
    client_id: client.clientId,
    name: client.name,
    description: client.description ?? '',
    app_type: client.appType ?? undefined,
    is_first_party: client.isFirstParty,
    oidc_conformant: client.oidcConformant,
    callbacks: client.callbacks,
    allowed_logout_urls: client.allowedLogoutUrls,
    web_origins: client.webOrigins,
    allowed_origins: client.allowedOrigins,
    grant_types: effectiveGrantTypes(client),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36_000, secret_encoded: false, ...jwt },
    refresh_token: { ...refreshTokenDefaults(client.tokenEndpointAuthMethod), ...refresh },
    client_metadata: client.clientMetadata,
    addons: client.addons,
    logo_uri: client.logoUri ?? undefined,
    initiate_login_uri: client.initiateLoginUri ?? undefined,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined));
}
