/**
 * The tenant settings `PATCH /tenants/settings` accepts: Auth0's documented ones (its SDK's
 * `UpdateTenantSettingsRequestContent`), so a tenant exported from Auth0 or from Tessera by Auth0's
 * deploy CLI imports unchanged, and Tessera's own. Each is typed and bounded, nested objects closed to
 * unknown members (docs/security.md#40); a setting nobody documents is still refused.
 *
 * EFFECTIVE settings change what Tessera does (docs/management-api.md#tenant-settings); STORED ones are kept and
 * returned as sent, without effect, so a round trip through Tessera loses nothing.
 */

const bool = { type: 'boolean' } as const;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const URL_TEXT = text(2048);
const HTML = text(102_400);
const closed = (properties: Record<string, unknown>) =>
  ({ type: 'object', additionalProperties: false, properties }) as const;
/** The same schema, also accepting `null` (Auth0's nullable settings; `null` resets them). */
const orNull = (schema: { type: string; enum?: readonly string[] } & Record<string, unknown>) => ({
  ...schema,
  type: [schema.type, 'null'],
  ...(schema.enum ? { enum: [...schema.enum, null] } : {}),
});

const HOURS = { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 8760 } as const;
const MINUTES = { type: ['integer', 'null'], minimum: 1, maximum: 525_600 } as const;

/** Settings Tessera acts on, with the value a tenant that never set them gets (GET shows it). */
export const EFFECTIVE = {
  /** Hours from login after which the session ends however active it is (Auth0's default: 7 days). */
  session_lifetime: { schema: HOURS, fallback: 168 },
  /** Hours of inactivity after which the session ends (Auth0's default: 3 days). */
  idle_session_lifetime: { schema: HOURS, fallback: 72 },
  grant_lifetime: {
    schema: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 87_600 },
    fallback: 720,
  },
  default_audience: { schema: orNull(text(600)), fallback: '' },
  signup_enabled: { schema: orNull(bool), fallback: false },
  require_pkce_for_confidential_clients: { schema: orNull(bool), fallback: false },
  actions_allow_http_redirects: { schema: orNull(bool), fallback: false },
} as const;

/**
 * Lifetimes Auth0 also takes in minutes (what its deploy CLI sends): stored as hours under the
 * twin's name, so GET answers in hours as Auth0 does. A request may not name both forms of one.
 */
export const IN_MINUTES = {
  session_lifetime_in_minutes: 'session_lifetime',
  idle_session_lifetime_in_minutes: 'idle_session_lifetime',
  ephemeral_session_lifetime_in_minutes: 'ephemeral_session_lifetime',
  idle_ephemeral_session_lifetime_in_minutes: 'idle_ephemeral_session_lifetime',
} as const;

const PAGE = closed({ enabled: bool, html: HTML });
const QUOTA = closed({
  client_credentials: closed({
    enforce: bool,
    per_day: { type: 'integer', minimum: 1 },
    per_hour: { type: 'integer', minimum: 1 },
  }),
});

/** Auth0 settings kept and returned without effect in Tessera (no ephemeral sessions, no PAR…). */
export const STORED = {
  /** The connection of password grants without a realm; read by the password grant. */
  default_directory: orNull(text(128)),
  picture_url: orNull(URL_TEXT),
  support_email: orNull(text(255)),
  support_url: orNull(URL_TEXT),
  allowed_logout_urls: orNull({ type: 'array', maxItems: 100, items: URL_TEXT }),
  enabled_locales: orNull({
    type: 'array',
    maxItems: 100,
    uniqueItems: true,
    items: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$' },
  }),
  flags: orNull({
    type: 'object',
    maxProperties: 100,
    propertyNames: { pattern: '^[a-z0-9_]{1,64}$' },
    additionalProperties: bool,
  }),
  sandbox_version: orNull(text(16)),
  legacy_sandbox_version: orNull(text(16)),
  ephemeral_session_lifetime: HOURS,
  idle_ephemeral_session_lifetime: HOURS,
  default_redirection_uri: orNull(URL_TEXT),
  change_password: orNull(PAGE),
  guardian_mfa_page: orNull(PAGE),
  error_page: orNull(closed({ html: HTML, show_log_link: bool, url: URL_TEXT })),
  device_flow: orNull(closed({ charset: { type: 'string', enum: ['base20', 'digits'] }, mask: text(20) })),
  default_token_quota: orNull(closed({ clients: QUOTA, organizations: QUOTA })),
  session_cookie: orNull(closed({ mode: { type: 'string', enum: ['persistent', 'non-persistent'] } })),
  sessions: orNull(
    closed({
      oidc_logout_prompt_enabled: bool,
      anonymous: orNull(
        closed({ lifetime_in_minutes: { type: 'integer', minimum: 1 }, activate_cookie: bool }),
      ),
    }),
  ),
  oidc_logout: orNull(closed({ rp_logout_end_session_endpoint_discovery: bool })),
  security_headers: orNull(
    closed({
      content_security_policy: orNull(
        closed({
          enabled: bool,
          policies: { type: 'object', maxProperties: 50 },
          reporting_infrastructure: { type: ['object', 'null'], maxProperties: 20 },
        }),
      ),
      x_xss_protection: orNull(
        closed({ enabled: bool, mode: { type: 'string', enum: ['block'] }, report_uri: URL_TEXT }),
      ),
    }),
  ),
  universal_login: orNull({ type: 'object', maxProperties: 20 }),
  mtls: orNull(closed({ enable_endpoint_aliases: bool })),
  country_codes: orNull(
    closed({
      list: {
        type: 'array',
        maxItems: 300,
        uniqueItems: true,
        items: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
      mode: { type: 'string', enum: ['allow', 'deny'] },
    }),
  ),
  acr_values_supported: orNull({ type: 'array', maxItems: 50, items: text(256) }),
  resource_parameter_profile: orNull({ type: 'string', enum: ['audience', 'compatibility'] }),
  dynamic_client_registration_security_mode: orNull({ type: 'string', enum: ['strict', 'permissive'] }),
  customize_mfa_in_postlogin_action: orNull(bool),
  allow_organization_name_in_authentication_api: orNull(bool),
  pushed_authorization_requests_supported: orNull(bool),
  authorization_response_iss_parameter_supported: orNull(bool),
  skip_non_verifiable_callback_uri_confirmation_prompt: orNull(bool),
  client_id_metadata_document_supported: orNull(bool),
  enable_ai_guide: orNull(bool),
  phone_consolidated_experience: orNull(bool),
  include_session_metadata_in_tenant_logs: orNull(bool),
} as const;

export const SETTINGS_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    friendly_name: { type: ['string', 'null'], maxLength: 255 },
    ...Object.fromEntries(Object.entries(EFFECTIVE).map(([name, { schema }]) => [name, schema])),
    ...Object.fromEntries(Object.keys(IN_MINUTES).map((name) => [name, MINUTES])),
    ...STORED,
  },
} as const;

/**
 * What GET and PATCH answer: the friendly name, then each setting Tessera acts on or stores, as
 * stored (its schema checked it when it was written). Settings kept elsewhere in the same column
 * (Guardian factors, the operator's `actions_fetch_allow`) are not among them, so never answered.
 */
export const SETTINGS_ANSWER = {
  type: 'object',
  additionalProperties: false,
  properties: {
    friendly_name: { type: 'string' },
    ...Object.fromEntries([...Object.keys(EFFECTIVE), ...Object.keys(STORED)].map((name) => [name, {}])),
  },
} as const;
