/**
 * Auth0 Management API v2 scope names. The first-run management client is granted all of them, so
 * tools written for Auth0 (`auth0` SDK, deploy scripts) find the permissions they expect.
 */
export const MANAGEMENT_SCOPES = [
  ...crud('users'),
  ...crud('users_app_metadata'),
  ...crud('clients'),
  'read:client_keys',
  'update:client_keys',
  ...crud('client_grants'),
  ...crud('resource_servers'),
  ...crud('roles'),
  'read:role_members',
  'create:role_members',
  'delete:role_members',
  ...crud('connections'),
  'read:logs',
  ...crud('actions'),
  'read:signing_keys',
  'create:signing_keys',
  'update:signing_keys',
  ...crud('forms'),
  ...crud('authentication_methods'),
  'read:guardian_factors',
  'update:guardian_factors',
  'read:tenant_settings',
  'update:tenant_settings',
  ...crud('custom_domains'),
  'read:sessions',
  'delete:sessions',
  'read:refresh_tokens',
  'delete:refresh_tokens',
  // Auth0 tenant configuration its deploy CLI reads on every run. Tessera answers each in Auth0's
  // shape, most of them empty by design (docs/management-api.md#where-the-management-api-differs-from-auth0); the
  // first-run client holds them so the tool gets those answers, not 403 insufficient_scope.
  'read:attack_protection',
  'update:attack_protection',
  'read:mfa_policies',
  'update:mfa_policies',
  'read:prompts',
  'update:prompts',
  'read:branding',
  'update:branding',
  'delete:branding',
  ...crud('email_provider'),
  'read:email_templates',
  'create:email_templates',
  'update:email_templates',
  ...crud('phone_providers'),
  ...crud('phone_templates'),
  ...crud('rules'),
  'read:rules_configs',
  'update:rules_configs',
  'delete:rules_configs',
  ...crud('hooks'),
  ...crud('log_streams'),
  ...crud('event_streams'),
  ...crud('flows'),
  ...crud('flows_vault_connections'),
  ...crud('organizations'),
  ...crud('network_acls'),
  ...crud('self_service_profiles'),
  ...crud('user_attribute_profiles'),
  ...crud('connection_profiles'),
  ...crud('token_exchange_profiles'),
  ...crud('directory_provisionings'),
] as const;

function crud<const T extends string>(resource: T) {
  return [`read:${resource}`, `create:${resource}`, `update:${resource}`, `delete:${resource}`] as const;
}

/**
 * The Management API scopes a user's own token may carry (Auth0, "Get Management API Access Tokens for
 * Single-Page Applications"): each acts only on the user the token was issued to. They are declared on
 * the Management API so an app's grant can hold them, but never granted to the first-run machine client:
 * a machine token has no current user, and the Management API ignores these scopes in one.
 */
export const CURRENT_USER_SCOPES = [
  'read:current_user',
  'update:current_user_identities',
  'create:current_user_metadata',
  'update:current_user_metadata',
  'delete:current_user_metadata',
  'create:current_user_device_credentials',
  'delete:current_user_device_credentials',
] as const;

/** The Management API audience of a tenant: Auth0's `https://<domain>/api/v2/`. */
export const managementAudience = (issuer: string) => `${issuer}api/v2/`;

/** A problem found in an action's code before it runs (1-based line and column in the tenant's code). */
export interface ActionCodeProblem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * A test run's report, Auth0's `payload` of `POST /actions/actions/{id}/test`: `logs` (console
 * output as one string), `stats`, `error` when the action failed; Tessera adds the `outcome`
 * (`completed` | `denied` | `failed`) and the api calls the action made (`commands`, secrets redacted).
 */
export interface ActionTestPayload {
  outcome: string;
  commands: unknown[];
  logs: string;
  stats: { action_duration_ms: number };
  error?: { id: string; msg: string };
}

/**
 * What the Management API needs from the Actions runtime (wired in apps/server; the management
 * package does not import the sandbox): the deploy-time code check and a test run of a draft.
 */
export interface ActionsAdminPort {
  /** The modules an action may `require` (Tessera installs no npm dependencies). */
  readonly allowedModules: readonly string[];
  /** Syntax, allowed modules, size and the exported `onExecutePostLogin` handler. */
  check(code: string): Promise<{ ok: true } | { ok: false; problems: ActionCodeProblem[] }>;
  /**
   * Runs `code` once against `event` (a partial post-login event, completed with defaults) in the
   * sandbox, with a throwaway cache: nothing real is read or written, nothing it asks for is applied.
   * Resolves with Auth0's test response (`{ payload }`), also when the code fails (the failure is in
   * `payload.error`); InvalidRequestError for a malformed event.
   */
  test(input: {
    tenantId: string;
    code: string;
    secrets: Record<string, string>;
    event: Record<string, unknown>;
  }): Promise<{ payload: ActionTestPayload }>;
}

/** The file the first run writes into the data folder, beside the embedded database. */
export const FIRST_RUN_FILE = 'first-run.json';

/**
 * `<data dir>/first-run.json` (mode 0600): the issuer and the first-run Management API client's
 * credentials. The server writes it (and keeps issuer, domain and audience in step with a change of
 * domain); the CLI reads it to reach the running server's Management API.
 */
export interface FirstRunFile {
  issuer: string;
  domain: string;
  management: { client_id: string; client_secret: string; audience: string };
}
