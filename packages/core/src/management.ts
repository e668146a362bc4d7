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
  'read:tenant_settings',
  'update:tenant_settings',
  'read:custom_domains',
  'create:custom_domains',
  'delete:custom_domains',
] as const;

function crud<const T extends string>(resource: T) {
  return [`read:${resource}`, `create:${resource}`, `update:${resource}`, `delete:${resource}`] as const;
}

/** The Management API audience of a tenant: Auth0's `https://<domain>/api/v2/`. */
export const managementAudience = (issuer: string) => `${issuer}api/v2/`;
