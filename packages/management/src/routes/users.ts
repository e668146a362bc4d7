import { DATABASE_CONNECTION, DATABASE_STRATEGY, PASSWORD_MIN_LENGTH, type Storage } from '@tessera/storage';
import { requireSelf } from '../auth.ts';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError, invalidBody, invalidQuery } from '../errors.ts';
import { FIELDS_ONLY, FIELDS_QUERY, listQuery, listResponse, pageOf, project } from '../query.ts';
import { arrayOf, NO_CONTENT, offsetList } from '../responses.ts';
import {
  asIdpError,
  MAX_SEARCH_RESULTS,
  noSuchUser,
  parseSort,
  parseUserSearch,
  toWireUser,
  USER,
  USER_ID_PARAMS,
} from './user-wire.ts';

const PROFILE = { type: 'string', minLength: 1, maxLength: 2048 } as const;

/** Auth0's `POST /users` body for a database connection (`verify_email` accepted: Tessera sends no mail). */
const CREATE_USER = {
  type: 'object',
  additionalProperties: false,
  required: ['connection', 'email', 'password'],
  properties: {
    connection: { type: 'string', minLength: 1, maxLength: 128 },
    email: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 1 },
    username: { type: 'string', minLength: 1, maxLength: 128 },
    email_verified: { type: 'boolean' },
    verify_email: { type: 'boolean' },
    phone_number: { type: 'string', minLength: 1, maxLength: 32 },
    phone_verified: { type: 'boolean' },
    name: PROFILE,
    given_name: PROFILE,
    family_name: PROFILE,
    nickname: PROFILE,
    picture: PROFILE,
    user_metadata: { type: 'object' },
    app_metadata: { type: 'object' },
    blocked: { type: 'boolean' },
  },
} as const;

/** Auth0's `/users` and `/users-by-email`; updates are in user-update.ts. */
export function userRoutes(api: ManagementApi, deps: ManagementDeps): void {
  const { storage } = deps;

  api.post(
    '/users',
    {
      config: { scopes: ['create:users'], audit: 'Create a User' },
      schema: { body: CREATE_USER, response: { 201: USER } },
    },
    async (request, reply) => {
      const body = request.body;
      await requireDatabaseConnection(storage, request.tenant.id, body.connection);
      checkPasswordPolicy(body.password);
      try {
        const user = await storage.users.create(request.tenant.id, {
          connection: body.connection,
          email: body.email,
          password: body.password,
          ...(body.username === undefined ? {} : { username: body.username }),
          emailVerified: body.email_verified === true,
          ...(body.phone_number === undefined ? {} : { phoneNumber: body.phone_number }),
          phoneVerified: body.phone_verified === true,
          name: body.name,
          givenName: body.given_name,
          familyName: body.family_name,
          nickname: body.nickname,
          picture: body.picture,
          userMetadata: body.user_metadata,
          appMetadata: body.app_metadata,
          blocked: body.blocked === true,
        });
        return reply.code(201).send(toWireUser(user));
      } catch (error) {
        throw asIdpError(error);
      }
    },
  );

  api.get(
    '/users',
    {
      config: { scopes: ['read:users'] },
      schema: {
        querystring: listQuery(
          {
            sort: { type: 'string', maxLength: 64 },
            q: { type: 'string', maxLength: 2048 },
            // v1 is gone at Auth0 too; v2 is answered like v3.
            search_engine: { type: 'string', enum: ['v2', 'v3'] },
            connection: { type: 'string', maxLength: 128 },
            primary_order: { type: 'boolean' },
          },
          { fields: true },
        ),
        response: { 200: offsetList('users', USER) },
      },
    },
    async (request) => {
      const query = request.query;
      const { skip, perPage } = pageOf(query);
      if (skip + perPage > MAX_SEARCH_RESULTS) {
        throw invalidQuery(`You can only page through the first ${MAX_SEARCH_RESULTS} records.`);
      }
      const sort = parseSort(query.sort);
      const { users, total } = await storage.userAdmin.list(request.tenant.id, {
        skip,
        take: perPage,
        ...(sort ? { sort } : {}),
        ...parseUserSearch(query.q),
        ...(query.connection ? { connection: query.connection } : {}),
      });
      const items = users.map((user) => project(toWireUser(user), query));
      return listResponse('users', items, Math.min(total, MAX_SEARCH_RESULTS), query);
    },
  );

  // A user's own token reads its own profile with `read:current_user` (docs/security.md#48).
  api.get(
    '/users/:id',
    {
      config: { scopes: ['read:users', 'read:current_user'] },
      schema: { params: USER_ID_PARAMS, querystring: FIELDS_ONLY, response: { 200: USER } },
    },
    async (request) => {
      requireSelf(request.caller, request.params.id, ['read:users']);
      const user = await storage.users.findById(request.tenant.id, request.params.id);
      if (!user) throw noSuchUser();
      return project(toWireUser(user), request.query);
    },
  );

  // Auth0 answers 204 whether or not the user existed: deleting is idempotent.
  api.delete(
    '/users/:id',
    {
      config: { scopes: ['delete:users'], audit: 'Delete a User' },
      schema: { params: USER_ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      await storage.userAdmin.delete(request.tenant.id, request.params.id);
      return reply.code(204).send();
    },
  );

  api.get(
    '/users-by-email',
    {
      config: { scopes: ['read:users'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['email'],
          properties: { ...FIELDS_QUERY, email: { type: 'string', minLength: 1, maxLength: 320 } },
        },
        response: { 200: arrayOf(USER) },
      },
    },
    async (request) => {
      const users = await storage.userAdmin.listByEmail(request.tenant.id, request.query.email);
      return users.map((user) => project(toWireUser(user), request.query));
    },
  );
}

/** The named connection must be one of the tenant's database connections (the default one is made on demand). */
async function requireDatabaseConnection(storage: Storage, tenantId: string, name: string): Promise<void> {
  if (name === DATABASE_CONNECTION) {
    await storage.users.ensureDatabaseConnection(tenantId);
    return;
  }
  const [connection] = await storage.connections.list(tenantId, { name });
  if (!connection) throw new ApiError(400, 'inexistent_connection', 'The connection does not exist.');
  if (connection.strategy !== DATABASE_STRATEGY) {
    throw invalidBody(`Payload validation error: connection '${name}' is not a database connection.`);
  }
}

/** Auth0's answer to a password its policy refuses; the policy is the one sign-up enforces. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new ApiError(400, 'invalid_password', 'PasswordStrengthError: Password is too weak');
  }
}
