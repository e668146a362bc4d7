import type { UserChanges } from '@tessera/storage';
import type { FromSchema } from 'json-schema-to-ts';
import { type Caller, insufficientScope, isCurrentUserScope, requireSelf } from '../auth.ts';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { invalidBody } from '../errors.ts';
import { asIdpError, noSuchUser, toWireUser, USER, USER_ID_PARAMS } from './user-wire.ts';
import { checkPasswordPolicy } from './users.ts';

// Auth0 unsets an optional attribute given null, but refuses empty strings ("not supported").
const NULLABLE = { type: ['string', 'null'], minLength: 1, maxLength: 2048 } as const;

/** Auth0's `PATCH /users/{id}` body, the attributes of a database user. */
const UPDATE_USER = {
  type: 'object',
  additionalProperties: false,
  properties: {
    blocked: { type: 'boolean' },
    email: { type: 'string', minLength: 1, maxLength: 320 },
    email_verified: { type: 'boolean' },
    phone_number: { type: ['string', 'null'], minLength: 1, maxLength: 32 },
    phone_verified: { type: 'boolean' },
    username: { type: ['string', 'null'], minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1 },
    name: NULLABLE,
    given_name: NULLABLE,
    family_name: NULLABLE,
    nickname: NULLABLE,
    picture: NULLABLE,
    user_metadata: { type: 'object' },
    app_metadata: { type: 'object' },
    // Accepted as Auth0 does: Tessera sends no verification email or text, and a database user has
    // one identity, so `connection` can only name it.
    verify_email: { type: 'boolean' },
    verify_phone_number: { type: 'boolean' },
    connection: { type: 'string', minLength: 1, maxLength: 128 },
    client_id: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

type UpdateUserBody = FromSchema<typeof UPDATE_USER>;

/**
 * The scopes that let a caller change a property (any other needs `update:users`): Auth0's
 * `update:users_app_metadata` changes app_metadata only, and a user's own token with
 * `update:current_user_metadata` or `create:current_user_metadata` its user_metadata only
 * (docs/security.md#48: never its password, email, blocked flag or app_metadata).
 */
const PROPERTY_SCOPES: Record<string, readonly string[]> = {
  app_metadata: ['update:users', 'update:users_app_metadata'],
  user_metadata: ['update:users', 'update:current_user_metadata', 'create:current_user_metadata'],
};
const scopesFor = (property: string) => PROPERTY_SCOPES[property] ?? ['update:users'];

/** Auth0's 403 for the first property the caller may not change, naming what a machine would need. */
function requirePropertyScopes(caller: Caller, properties: string[]): void {
  const refused = properties.find((property) => !scopesFor(property).some((s) => caller.scopes.has(s)));
  if (refused !== undefined)
    throw insufficientScope(scopesFor(refused).filter((s) => !isCurrentUserScope(s)));
}

/**
 * Auth0's user update: attributes replaced, metadata merged per top-level key (null removes a key,
 * `{}` removes them all), a new password re-hashed. All of it in one transaction: a taken email or
 * username (409) leaves the user exactly as it was.
 */
export function userUpdateRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.patch(
    '/users/:id',
    {
      config: {
        scopes: [
          'update:users',
          'update:users_app_metadata',
          'update:current_user_metadata',
          'create:current_user_metadata',
        ],
        audit: 'Update a User',
      },
      schema: { params: USER_ID_PARAMS, body: UPDATE_USER, response: { 200: USER } },
    },
    async (request) => {
      const body = request.body;
      requireSelf(request.caller, request.params.id, ['update:users', 'update:users_app_metadata']);
      if (Object.keys(body).length === 0) {
        throw invalidBody(`Payload validation error: 'Too few properties defined (0), must be at least 1'.`);
      }
      requirePropertyScopes(request.caller, Object.keys(body));
      const tenantId = request.tenant.id;
      const current = await storage.users.findById(tenantId, request.params.id);
      if (!current) throw noSuchUser();
      if (
        body.connection !== undefined &&
        !current.identities.some((i) => i.connection === body.connection)
      ) {
        throw invalidBody(
          `Payload validation error: the user has no identity in connection '${body.connection}'.`,
        );
      }
      if (body.password !== undefined) checkPasswordPolicy(body.password);
      try {
        const user = await storage.userAdmin.update(tenantId, current.user_id, toChanges(body));
        return toWireUser(user);
      } catch (error) {
        throw asIdpError(error);
      }
    },
  );
}

function toChanges(body: UpdateUserBody): UserChanges {
  const changes: UserChanges = {};
  const set = <K extends keyof UserChanges>(key: K, value: UserChanges[K] | undefined) => {
    if (value !== undefined) changes[key] = value;
  };
  set('blocked', body.blocked);
  set('email', body.email);
  set('emailVerified', body.email_verified);
  set('phoneNumber', body.phone_number);
  set('phoneVerified', body.phone_verified);
  set('username', body.username);
  set('password', body.password);
  set('name', body.name);
  set('givenName', body.given_name);
  set('familyName', body.family_name);
  set('nickname', body.nickname);
  set('picture', body.picture);
  set('userMetadata', body.user_metadata);
  set('appMetadata', body.app_metadata);
  return changes;
}
