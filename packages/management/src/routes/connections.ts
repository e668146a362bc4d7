import { type Connection, DATABASE_STRATEGY, PASSWORD_MIN_LENGTH } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import { inexistent, invalidQuery } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import {
  DEFAULT_PER_PAGE,
  FIELDS_ONLY,
  FIELDS_QUERY,
  type FieldsQuery,
  listResponse,
  PAGE_QUERY,
  type PageQuery,
  project,
  slicePage,
} from '../query.ts';

interface ConnectionQuery extends PageQuery, FieldsQuery {
  from?: string;
  take?: number;
  strategy?: string | string[];
  name?: string;
}

const STRATEGY = { type: 'string', minLength: 1, maxLength: 64 } as const;

/**
 * Auth0's `/connections` (read only). Every tenant has its database connection
 * (`Username-Password-Authentication`) from the start, as in Auth0, even before its first user.
 */
export function connectionRoutes(api: FastifyInstance, { storage }: ManagementDeps): void {
  api.get<{ Querystring: ConnectionQuery }>(
    '/connections',
    {
      config: { scopes: ['read:connections'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGE_QUERY,
            ...FIELDS_QUERY,
            from: { type: 'string', minLength: 1, maxLength: 64 },
            take: { type: 'integer', minimum: 1, maximum: 100 },
            strategy: { anyOf: [STRATEGY, { type: 'array', maxItems: 20, items: STRATEGY }] },
            name: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
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

  api.get<{ Params: { id: string }; Querystring: FieldsQuery }>(
    '/connections/:id',
    {
      config: { scopes: ['read:connections'] },
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        querystring: FIELDS_ONLY,
      },
    },
    async (request) => {
      await storage.users.ensureDatabaseConnection(request.tenant.id);
      const connection = await storage.connections.findById(request.tenant.id, request.params.id);
      if (!connection) throw inexistent('connection', 'The connection does not exist.');
      return project(toWire(connection), request.query);
    },
  );
}

function toWire(connection: Connection): Record<string, unknown> {
  const options = publicOptions(connection.options);
  // The password policy Tessera enforces on database connections (sign-up and POST /users alike).
  if (connection.strategy === DATABASE_STRATEGY && options.password_complexity_options === undefined) {
    options.password_complexity_options = { min_length: PASSWORD_MIN_LENGTH };
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
