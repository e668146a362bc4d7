import { DATABASE_CONNECTION, type Tenant } from '@tessera/storage';
import { errors } from 'oidc-provider';
import { tokenError } from './token-error.ts';

/** A password grant request, read and checked before anything is counted or verified. */
export interface PasswordRequest {
  username: string;
  password: string;
  /** The database connection the password is checked in. */
  connection: string;
  /** The scopes asked for, in order; `undefined` when the request has no `scope` at all. */
  scopes: string[] | undefined;
}

/** Auth0's longest connection name; a longer realm names no connection and is not looked up. */
const MAX_CONNECTION_NAME = 128;

/**
 * The request's parameters (oidc-provider has already kept only the ones this grant registered, so
 * plain `password` never sees a `realm`, as Auth0's standard grant ignores it). `password-realm`
 * names its connection; plain `password` uses the tenant's default directory (Auth0's
 * `default_directory` tenant setting), and, where the tenant has none, the database connection its
 * login page uses: every Tessera tenant has one, so unlike Auth0 (which answers `server_error`) the
 * grant works without that setting.
 */
export function readPasswordRequest(
  params: Record<string, unknown>,
  tenant: Tenant,
  realmGrant: boolean,
): PasswordRequest {
  const username = required(params, 'username');
  const password = required(params, 'password');
  const connection = realmGrant ? required(params, 'realm') : defaultDirectory(tenant);
  if (connection.length > MAX_CONNECTION_NAME)
    throw tokenError(400, 'invalid_request', 'the connection was not found');
  const scope = typeof params.scope === 'string' ? params.scope : undefined;
  return {
    username,
    password,
    connection,
    scopes: scope === undefined ? undefined : [...new Set(scope.split(' ').filter(Boolean))],
  };
}

function required(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '')
    throw new errors.InvalidRequest(`missing required parameter '${name}'`);
  return value;
}

function defaultDirectory(tenant: Tenant): string {
  const configured = (tenant.settings as Record<string, unknown>).default_directory;
  return typeof configured === 'string' && configured !== '' ? configured : DATABASE_CONNECTION;
}
