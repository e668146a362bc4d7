import { isDeepStrictEqual } from 'node:util';
import { type Connection, DATABASE_STRATEGY, PASSWORD_MIN_LENGTH } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidBody, invalidQuery } from '../errors.ts';
import {
  DEFAULT_PER_PAGE,
  FIELDS_ONLY,
  ID_PARAMS,
  listQuery,
  listResponse,
  project,
  slicePage,
} from '../query.ts';
import { BOOLEAN, FREE_OBJECT, object, offsetOrCheckpointList, STRING, STRINGS } from '../responses.ts';
import { READ_ONLY_ID } from './read-only.ts';

/** Auth0's connection (toWire); `options` without the upstream credentials (publicOptions). */
const CONNECTION = object({
  id: STRING,
  name: STRING,
  display_name: STRING,
  strategy: STRING,
  options: FREE_OBJECT,
  enabled_clients: STRINGS,
  realms: STRINGS,
  is_domain_connection: BOOLEAN,
});

const STRATEGY = { type: 'string', minLength: 1, maxLength: 64 } as const;

/**
 * Auth0's `/connections` (read only; PATCH accepts what GET shows, see connectionPatchRoute). Every tenant has its database connection
 * (`Username-Password-Authentication`) from the start, as in Auth0, even before its first user.
 */
export function connectionRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/connections',
    {
      config: { scopes: ['read:connections'] },
      schema: {
        querystring: listQuery(
          {
            from: { type: 'string', minLength: 1, maxLength: 64 },
            take: { type: 'integer', minimum: 1, maximum: 100 },
            strategy: { anyOf: [STRATEGY, { type: 'array', maxItems: 20, items: STRATEGY }] },
            name: { type: 'string', minLength: 1, maxLength: 128 },
          },
          { fields: true },
        ),
        response: { 200: offsetOrCheckpointList('connections', CONNECTION) },
      },
    },
    async (request) => {
      const query = request.query;
      await storage.users.ensureDatabaseConnection(request.tenant.id);
      const all = await storage.connections.list(request.tenant.id, {
        ...(query.strategy === undefined ? {} : { strategies: [query.strategy].flat() }),
        ...(query.name === undefined ? {} : { name: query.name }),
      });
      const wire = (connection: Connection) => project(toWire(connection), query);
      if (query.from === undefined && query.take === undefined) {
        return listResponse('connections', slicePage(all, query).map(wire), all.length, query);
      }
      // Checkpoint pagination (what the SDK uses): `next` is the id the following page starts at.
      const start =
        query.from === undefined ? 0 : all.findIndex((connection) => connection.id === query.from);
      if (start < 0) throw invalidQuery(`Query validation error: 'from' is not a checkpoint of this list.`);
      const end = start + (query.take ?? DEFAULT_PER_PAGE);
      const next = all[end]?.id;
      return { connections: all.slice(start, end).map(wire), ...(next ? { next } : {}) };
    },
  );

  api.get(
    '/connections/:id',
    {
      config: { scopes: ['read:connections'] },
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: FIELDS_ONLY,
        response: { 200: CONNECTION },
      },
    },
    async (request) => {
      await storage.users.ensureDatabaseConnection(request.tenant.id);
      const connection = await storage.connections.findById(request.tenant.id, request.params.id);
      if (!connection) throw noSuchConnection();
      return project(toWire(connection), request.query);
    },
  );

  connectionPatchRoute(api, storage);
}

/** What a GET of a connection shows, each of which may come back in a PATCH (Auth0's names). */
const PATCH_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: READ_ONLY_ID,
    name: { type: 'string', maxLength: 128 },
    strategy: { type: 'string', maxLength: 64 },
    display_name: { type: 'string', maxLength: 128 },
    options: { type: 'object' },
    enabled_clients: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 64 } },
    realms: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 128 } },
    is_domain_connection: { type: 'boolean' },
  },
} as const;

/**
 * `PATCH /connections/{id}` of a connection Tessera manages itself (read-only, docs/management-api.md#where-the-management-api-differs-from-auth0): a body that
 * states what GET shows changes nothing and answers the connection, as a round trip (Auth0's deploy
 * CLI sends every database connection back on each import) must; anything else is refused naming the
 * first property that differs, and nothing is written.
 */
function connectionPatchRoute(api: ManagementApi, storage: ManagementDeps['storage']): void {
  api.patch(
    '/connections/:id',
    {
      config: { scopes: ['update:connections'], audit: 'Update a connection' },
      schema: { params: ID_PARAMS, body: PATCH_BODY, response: { 200: CONNECTION } },
    },
    async (request) => {
      await storage.users.ensureDatabaseConnection(request.tenant.id);
      const connection = await storage.connections.findById(request.tenant.id, request.params.id);
      if (!connection) throw noSuchConnection();
      const stored = toWire(connection);
      const changed = Object.entries(request.body).find(
        ([key, value]) => !isDeepStrictEqual(value, stored[key]),
      )?.[0];
      if (changed)
        throw invalidBody(
          `Payload validation error: Tessera's connections are read-only; '${changed}' can only be sent as GET returns it.`,
        );
      return stored;
    },
  );
}

const noSuchConnection = () => inexistent('connection', 'The connection does not exist.');

function toWire(connection: Connection): Record<string, unknown> {
  const options = publicOptions(connection.options);
  if (connection.strategy === DATABASE_STRATEGY) {
    // The password policy Tessera enforces on database connections (sign-up and POST /users alike).
    options.password_complexity_options ??= { min_length: PASSWORD_MIN_LENGTH };
    // Tessera has no self-service password change page. Saying so also keeps the connection's round
    // trip through Auth0's deploy CLI whole: its schema adds this option as `false` when absent.
    options.disable_self_service_change_password ??= true;
  }
  return {
    id: connection.id,
    name: connection.name,
    ...(connection.displayName ? { display_name: connection.displayName } : {}),
    strategy: connection.strategy,
    options,
    enabled_clients: connection.enabledClients,
    realms: [connection.name],
    is_domain_connection: false,
  };
}

// Credentials of upstream identity providers: they never leave the server.
const SECRET = /secret|private_?key|signing_?key|password$|^key$|token/i;

function publicOptions(options: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (SECRET.test(key)) continue;
    const nested = value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 8;
    Object.defineProperty(out, key, {
      value: nested ? publicOptions(value as Record<string, unknown>, depth + 1) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
