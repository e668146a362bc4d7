import { DATABASE_CONNECTION, DATABASE_STRATEGY, PASSWORD_MIN_LENGTH, type Storage } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import { requireSelf } from '../auth.ts';
import { ApiError, invalidBody, invalidQuery } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import {
  FIELDS_ONLY,
  FIELDS_QUERY,
  type FieldsQuery,
  listResponse,
  PAGE_QUERY,
  type PageQuery,
  pageOf,
  project,
} from '../query.ts';
import {
  asIdpError,
  MAX_SEARCH_RESULTS,
  noSuchUser,
  parseSort,
  parseUserSearch,
  toWireUser,
  USER_ID_PARAMS,
} from './user-wire.ts';

interface UserListQuery extends PageQuery, FieldsQuery {
  sort?: string;
  q?: string;
  search_engine?: string;
  connection?: string;
  primary_order?: boolean;
}

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

type CreateUserBody = Record<string, unknown> & { connection: string; email: string; password: string };

/** Auth0's `/users` and `/users-by-email`; updates are in user-update.ts. */
export function userRoutes(api: FastifyInstance, deps: ManagementDeps): void {
  const { storage } = deps;

  api.post<{ Body: CreateUserBody }>(
    '/users',
    { config: { scopes: ['create:users'], audit: 'Create a User' }, schema: { body: CREATE_USER } },
    async (request, reply) => {
      const body = request.body;
      await requireDatabaseConnection(storage, request.tenant.id, body.connection);
      checkPasswordPolicy(body.password);
      try {
        const user = await storage.users.create(request.tenant.id, {
          connection: body.connection,
          email: body.email,
          password: body.password,
          ...(body.username === undefined ? {} : { username: body.username as string }),
          emailVerified: body.email_verified === true,
          ...(body.phone_number === undefined ? {} : { phoneNumber: body.phone_number as string }),
          phoneVerified: body.phone_verified === true,
          name: body.name as string | undefined,
          givenName: body.given_name as string | undefined,
          familyName: body.family_name as string | undefined,
          nickname: body.nickname as string | undefined,
          picture: body.picture as string | undefined,
          userMetadata: body.user_metadata as Record<string, unknown> | undefined,
          appMetadata: body.app_metadata as Record<string, unknown> | undefined,
          blocked: body.blocked === true,
        });
        return reply.code(201).send(toWireUser(user));
      } catch (error) {
        throw asIdpError(error);
      }
    },
  );

  api.get<{ Querystring: UserListQuery }>(
    '/users',
    {
      config: { scopes: ['read:users'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGE_QUERY,
            ...FIELDS_QUERY,
            sort: { type: 'string', maxLength: 64 },
            q: { type: 'string', maxLength: 2048 },
            // v1 is gone at Auth0 too; v2 is answered like v3.
            search_engine: { type: 'string', enum: ['v2', 'v3'] },
            connection: { type: 'string', maxLength: 128 },
            primary_order: { type: 'boolean' },
          },
        },
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
  api.get<{ Params: { id: string }; Querystring: FieldsQuery }>(
    '/users/:id',
    {
      config: { scopes: ['read:users', 'read:current_user'] },
      schema: {
        params: USER_ID_PARAMS,
        querystring: FIELDS_ONLY,
      },
    },
    async (request) => {
      requireSelf(request.caller, request.params.id, ['read:users']);
      const user = await storage.users.findById(request.tenant.id, request.params.id);
      if (!user) throw noSuchUser();
      return project(toWireUser(user), request.query);
    },
  );

  // Auth0 answers 204 whether or not the user existed: deleting is idempotent.
  api.delete<{ Params: { id: string } }>(
    '/users/:id',
    { config: { scopes: ['delete:users'], audit: 'Delete a User' }, schema: { params: USER_ID_PARAMS } },
    async (request, reply) => {
      await storage.userAdmin.delete(request.tenant.id, request.params.id);
      return reply.code(204).send();
    },
  );

  api.get<{ Querystring: FieldsQuery & { email: string } }>(
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
