import { NotFoundError } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { FIELDS_ONLY, ID_PARAMS, listQuery, listResponse, pageOf, project } from '../query.ts';
import { NO_CONTENT, offsetList } from '../responses.ts';
import { checkClient } from './client-checks.ts';
import { globalClient, globalClientId, globalClientIsReadOnly } from './client-global.ts';
import {
  APP_TYPES,
  CLIENT,
  CLIENT_PROPERTIES,
  CLIENT_WITH_SECRET,
  type ClientBody,
  refreshTokenDefaults,
  toInput,
  toWire,
} from './client-wire.ts';
import { pick, READ_ONLY_ID, sameAsStored, TIMESTAMPS } from './read-only.ts';
import { requireSigningAlg } from './signing-alg.ts';

// What GET returns and no write sets (read-only.ts): the times are ignored (a client exported by
// Auth0's deploy CLI carries them into its POST and PATCH); the identity must match on PATCH.
const IDENTITY = ['client_id', 'tenant', 'global'] as const;

const CREATE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { ...CLIENT_PROPERTIES, ...TIMESTAMPS },
} as const;

const PATCH_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...CLIENT_PROPERTIES,
    ...TIMESTAMPS,
    client_id: READ_ONLY_ID,
    tenant: READ_ONLY_ID,
    global: { type: 'boolean' },
  },
} as const;

const noSuchClient = () => inexistent('client', 'The client does not exist');

/**
 * Auth0's `/clients` (applications). The secret exists in clear only in the answers to POST and
 * rotate-secret: Tessera stores an HMAC of it, so unlike Auth0 (which shows it to callers holding
 * `read:client_keys`) no GET can return it; a lost secret is replaced by rotating it.
 *
 * The OIDC provider reads clients through a 5-second cache (packages/oidc/src/adapter.ts): an update
 * or deletion drops the tenant's provider so the change applies at once here; other processes see it
 * when their cache entry expires. Secrets are checked against the database on every request, so a
 * rotation stops the old secret at once everywhere.
 */
export function clientRoutes(api: ManagementApi, { storage, invalidateTenant }: ManagementDeps): void {
  api.get(
    '/clients',
    {
      config: { scopes: ['read:clients', 'read:client_keys'] },
      schema: {
        querystring: listQuery(
          {
            app_type: { type: 'string', maxLength: 256 },
            is_first_party: { type: 'boolean' },
            is_global: { type: 'boolean' },
          },
          { fields: true },
        ),
        response: { 200: offsetList('clients', CLIENT) },
      },
    },
    async (request) => {
      const { query } = request;
      const { skip, perPage } = pageOf(query);
      const appTypes = query.app_type?.split(',').map((type) => type.trim());
      // The global client is listed only on its own (client-global.ts), as on Auth0.
      if (query.is_global === true) {
        const items = skip === 0 ? [project(globalClient(request.tenant), query)] : [];
        return listResponse('clients', items, 1, query, { length: false });
      }
      const { clients, total } = await storage.clients.list(request.tenant.id, {
        skip,
        take: perPage,
        appTypes: appTypes?.filter((type) => (APP_TYPES as readonly string[]).includes(type)),
        isFirstParty: query.is_first_party,
      });
      const items = clients.map((client) => project(toWire(client, request.tenant.name), query));
      return listResponse('clients', items, total, query, { length: false });
    },
  );

  api.post(
    '/clients',
    {
      config: { scopes: ['create:clients'], audit: 'Create a client' },
      schema: { body: CREATE_BODY, response: { 201: CLIENT_WITH_SECRET } },
    },
    async (request, reply) => {
      const input = toInput(request.body);
      const appType = request.body.app_type;
      // Auth0's default: public (no secret at the token endpoint) for browser and native apps.
      input.tokenEndpointAuthMethod ??=
        appType === 'spa' || appType === 'native' ? 'none' : 'client_secret_post';
      // A public client rotates its refresh tokens unless the body says otherwise (docs/security.md#44).
      if (input.tokenEndpointAuthMethod === 'none') {
        input.refreshToken = { ...refreshTokenDefaults('none'), ...input.refreshToken };
      }
      checkClient({ ...EMPTY, ...input });
      await checkAlg(storage, request.tenant.id, request.body);
      const { client, clientSecret } = await storage.clients.create(request.tenant.id, {
        ...input,
        name: request.body.name,
      });
      const wire = toWire(client, request.tenant.name);
      return reply.code(201).send({ client_id: client.clientId, client_secret: clientSecret, ...wire });
    },
  );

  api.get(
    '/clients/:id',
    {
      config: { scopes: ['read:clients', 'read:client_keys'] },
      schema: { params: ID_PARAMS, querystring: FIELDS_ONLY, response: { 200: CLIENT } },
    },
    async (request) => {
      if (request.params.id === globalClientId(request.tenant)) {
        return project(globalClient(request.tenant), request.query);
      }
      const client = await storage.clients.findById(request.tenant.id, request.params.id);
      if (!client) throw noSuchClient();
      return project(toWire(client, request.tenant.name), request.query);
    },
  );

  api.patch(
    '/clients/:id',
    {
      config: { scopes: ['update:clients'], audit: 'Update a client' },
      schema: { params: ID_PARAMS, body: PATCH_BODY, response: { 200: CLIENT } },
    },
    async (request) => {
      const tenantId = request.tenant.id;
      if (request.params.id === globalClientId(request.tenant)) throw globalClientIsReadOnly();
      const current = await storage.clients.findById(tenantId, request.params.id);
      if (!current) throw noSuchClient();
      sameAsStored(pick(request.body, IDENTITY), toWire(current, request.tenant.name));
      const input = toInput(request.body);
      checkClient({ ...current, ...input });
      await checkAlg(storage, tenantId, request.body);
      const client = await notFoundAsInexistent(storage.clients.update(tenantId, request.params.id, input));
      invalidateTenant(tenantId);
      return toWire(client, request.tenant.name);
    },
  );

  api.delete(
    '/clients/:id',
    {
      config: { scopes: ['delete:clients'], audit: 'Delete a client' },
      schema: { params: ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      if (request.params.id === globalClientId(request.tenant)) throw globalClientIsReadOnly();
      await notFoundAsInexistent(storage.clients.delete(request.tenant.id, request.params.id));
      invalidateTenant(request.tenant.id);
      return reply.code(204).send();
    },
  );

  api.post(
    '/clients/:id/rotate-secret',
    {
      // Only update:client_keys (Auth0): the new secret is the client's identity, and a caller allowed to
      // edit callbacks must not be able to become another client (the first-run one has every scope).
      config: { scopes: ['update:client_keys'], audit: 'Rotate a client secret' },
      schema: { params: ID_PARAMS, response: { 200: CLIENT_WITH_SECRET } },
    },
    async (request) => {
      const { client, clientSecret } = await notFoundAsInexistent(
        storage.clients.rotateSecret(request.tenant.id, request.params.id),
      );
      const wire = toWire(client, request.tenant.name);
      return { client_id: client.clientId, client_secret: clientSecret, ...wire };
    },
  );
}

/** The list fields of a new client before its body applies (for checkClient). */
const EMPTY: Parameters<typeof checkClient>[0] = {
  appType: null,
  callbacks: [],
  allowedLogoutUrls: [],
  webOrigins: [],
  allowedOrigins: [],
  grantTypes: [],
  tokenEndpointAuthMethod: 'client_secret_post',
  logoUri: null,
  initiateLoginUri: null,
};

async function checkAlg(storage: Storage, tenantId: string, body: ClientBody) {
  const alg = body.jwt_configuration?.alg;
  if (typeof alg === 'string') await requireSigningAlg(storage, tenantId, alg, 'jwt_configuration.alg');
}

/** A client deleted between the read and the write is as unknown as one that never existed. */
async function notFoundAsInexistent<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof NotFoundError ? noSuchClient() : error;
  }
}
