import { ConflictError, InvalidRequestError, NotFoundError, TesseraError } from '@tessera/core';
import type { ClientGrant } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { conflict, inexistent, invalidBody } from '../errors.ts';
import { ID_PARAMS, listQuery, listResponse, pageOf } from '../query.ts';
import { NO_CONTENT, object, offsetOrCheckpointList, STRING, STRINGS } from '../responses.ts';
import { pick, READ_ONLY_ID, sameAsStored } from './read-only.ts';

const SCOPE = {
  type: 'array',
  maxItems: 1000,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 280 },
} as const;

/** Auth0's client grant. */
const GRANT = object({ id: STRING, client_id: STRING, audience: STRING, scope: STRINGS });

const noSuchGrant = () => inexistent('client_grant', 'The client grant does not exist');

/**
 * Auth0's `/client-grants`: which API a machine client may call through client credentials, with
 * which of its scopes. The provider caches a client's grants for 5 seconds
 * (packages/oidc/src/tenant-lookups.ts), an empty list included, so every change drops the tenant's
 * provider: a grant made now works for the very next token request.
 */
export function clientGrantRoutes(api: ManagementApi, { storage, invalidateTenant }: ManagementDeps): void {
  api.get(
    '/client-grants',
    {
      config: { scopes: ['read:client_grants'] },
      schema: {
        querystring: listQuery({
          from: { type: 'string', maxLength: 64 },
          take: { type: 'integer', minimum: 1, maximum: 100 },
          audience: { type: 'string', maxLength: 600 },
          client_id: { type: 'string', maxLength: 64 },
          allow_any_organization: { type: 'boolean' },
          subject_type: { type: 'string', enum: ['client', 'user'] },
        }),
        response: { 200: offsetOrCheckpointList('client_grants', GRANT) },
      },
    },
    async (request) => {
      const { query } = request;
      // Tessera has no organizations and no user-delegated grants: those filters match nothing.
      const none = query.allow_any_organization === true || query.subject_type === 'user';
      const filter = { audience: query.audience, clientId: query.client_id };
      if (query.from !== undefined || query.take !== undefined) {
        // Auth0's checkpoint mode (what the SDK asks for): `next` is the last id when more follow.
        const take = query.take ?? 50;
        const { grants } = none
          ? { grants: [] }
          : await storage.clientGrants.list(request.tenant.id, {
              ...filter,
              from: query.from || undefined,
              take: take + 1,
            });
        const page = grants.slice(0, take).map(toWire);
        return grants.length > take
          ? { client_grants: page, next: page.at(-1)?.id }
          : { client_grants: page };
      }
      const { skip, perPage } = pageOf(query);
      const { grants, total } = none
        ? { grants: [], total: 0 }
        : await storage.clientGrants.list(request.tenant.id, { ...filter, skip, take: perPage });
      const items = grants.map(toWire);
      return listResponse('client_grants', items, total, query, { length: false });
    },
  );

  api.post(
    '/client-grants',
    {
      config: { scopes: ['create:client_grants'], audit: 'Create client grant' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['client_id', 'audience'],
          properties: {
            client_id: { type: 'string', minLength: 1, maxLength: 64 },
            audience: { type: 'string', minLength: 1, maxLength: 600 },
            scope: SCOPE,
          },
        },
        response: { 201: GRANT },
      },
    },
    async (request, reply) => {
      const tenantId = request.tenant.id;
      const { client_id: clientId, audience, scope = [] } = request.body;
      if (!(await storage.clients.findById(tenantId, clientId)))
        throw inexistent('client', 'The client does not exist');
      let grant: ClientGrant;
      try {
        grant = await scopesMustBeDeclared(
          audience,
          storage.clientGrants.create(tenantId, { clientId, audience, scope }),
        );
      } catch (error) {
        if (error instanceof ConflictError)
          throw conflict('Client grant already exists', 'client_grant_conflict');
        throw error;
      }
      invalidateTenant(tenantId);
      return reply.code(201).send(toWire(grant));
    },
  );

  api.get(
    '/client-grants/:id',
    {
      config: { scopes: ['read:client_grants'] },
      schema: { params: ID_PARAMS, response: { 200: GRANT } },
    },
    async (request) => {
      const grant = await storage.clientGrants.findById(request.tenant.id, request.params.id);
      if (!grant) throw noSuchGrant();
      return toWire(grant);
    },
  );

  api.patch(
    '/client-grants/:id',
    {
      config: { scopes: ['update:client_grants'], audit: 'Update client grant' },
      schema: {
        params: ID_PARAMS,
        // The grant as GET returns it may come back: its identity must then be its own (read-only.ts).
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { scope: SCOPE, id: READ_ONLY_ID, client_id: READ_ONLY_ID, audience: READ_ONLY_ID },
        },
        response: { 200: GRANT },
      },
    },
    async (request) => {
      const tenantId = request.tenant.id;
      const current = await storage.clientGrants.findById(tenantId, request.params.id);
      if (!current) throw noSuchGrant();
      sameAsStored(pick(request.body, ['id', 'client_id', 'audience']), toWire(current));
      if (request.body.scope === undefined) return toWire(current);
      const grant = await grantMustExist(
        scopesMustBeDeclared(
          current.audience,
          storage.clientGrants.update(tenantId, current.id, request.body.scope),
        ),
      );
      invalidateTenant(tenantId);
      return toWire(grant);
    },
  );

  api.delete(
    '/client-grants/:id',
    {
      config: { scopes: ['delete:client_grants'], audit: 'Delete client grant' },
      schema: { params: ID_PARAMS, response: NO_CONTENT },
    },
    async (request, reply) => {
      await grantMustExist(storage.clientGrants.delete(request.tenant.id, request.params.id));
      invalidateTenant(request.tenant.id);
      return reply.code(204).send();
    },
  );
}

/**
 * The API must exist and declare every scope granted (a token could otherwise carry an unknown
 * scope). The repository checks it in the writing transaction, under the API's row lock, so a
 * concurrent removal of a scope cannot leave it granted.
 */
async function scopesMustBeDeclared<T>(audience: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'inexistent_resource_server')
      throw inexistent('resource_server', `No resource with identifier ${audience}`);
    if (error instanceof InvalidRequestError)
      throw invalidBody(`Payload validation error: ${error.description} on property scope.`);
    throw error;
  }
}

async function grantMustExist<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof NotFoundError ? noSuchGrant() : error;
  }
}

const toWire = (grant: ClientGrant) => ({
  id: grant.id,
  client_id: grant.clientId,
  audience: grant.audience,
  scope: grant.scope,
});
