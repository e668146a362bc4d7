import { ConflictError, NotFoundError } from '@tessera/core';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from './errors.ts';
import { newResourceServerId } from './ids.ts';

export interface ResourceServerScope {
  value: string;
  description: string;
}

/** Auth0's resource server (an API), addressed by its `identifier` (the token audience). */
export interface ResourceServer {
  id: string;
  tenantId: string;
  identifier: string;
  name: string;
  signingAlg: string;
  /** Seconds. */
  tokenLifetime: number;
  allowOfflineAccess: boolean;
  skipConsentForVerifiableFirstPartyClients: boolean;
  /** RBAC: only permissions granted through roles reach the access token. */
  enforcePolicies: boolean;
  tokenDialect: string;
  isSystem: boolean;
  scopes: ResourceServerScope[];
  createdAt: Date;
  updatedAt: Date;
}

type Settable = Omit<ResourceServer, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;
export type CreateResourceServerInput = Pick<Settable, 'identifier' | 'name'> & Partial<Settable>;
/** The identifier and the system flag never change (Auth0: the identifier is the audience of issued tokens). */
export type UpdateResourceServerInput = Partial<Omit<Settable, 'identifier' | 'isSystem'>>;

export interface ResourceServerRepository {
  /** ConflictError when the tenant already has an API with this identifier. */
  create(tenantId: string, input: CreateResourceServerInput): Promise<ResourceServer>;
  findByIdentifier(tenantId: string, identifier: string): Promise<ResourceServer | undefined>;
  findById(tenantId: string, id: string): Promise<ResourceServer | undefined>;
  /** Oldest first; `identifiers` narrows the list to those APIs. */
  list(
    tenantId: string,
    query: { skip: number; take: number; identifiers?: string[] },
  ): Promise<{ resourceServers: ResourceServer[]; total: number }>;
  /**
   * A partial update; `scopes` replaces the whole list. A scope that disappears is also taken out of
   * every role's permissions and every client grant of this API, in the same transaction, so no token
   * can carry a permission the API no longer declares. NotFoundError for an unknown API.
   */
  update(tenantId: string, id: string, patch: UpdateResourceServerInput): Promise<ResourceServer>;
  /** With its client grants and role permissions (ON DELETE CASCADE). NotFoundError for an unknown API. */
  delete(tenantId: string, id: string): Promise<void>;
  /**
   * Gives the API a new identifier in place: its client grants and role permissions follow through
   * the foreign keys (ON UPDATE CASCADE). For the system API after a change of issuer; the Management
   * API itself never changes an identifier. NotFoundError for an unknown API.
   */
  moveIdentifier(tenantId: string, id: string, identifier: string): Promise<void>;
}

const withScopes = { scopes: { orderBy: { value: 'asc' as const } } } satisfies Prisma.ResourceServerInclude;

export function createResourceServerRepository(prisma: PrismaClient): ResourceServerRepository {
  return {
    async create(tenantId, { scopes = [], ...input }) {
      try {
        const row = await prisma.resourceServer.create({
          data: {
            ...input,
            id: newResourceServerId(),
            tenantId,
            scopes: { create: scopes.map(({ value, description }) => ({ tenantId, value, description })) },
          },
          include: withScopes,
        });
        return toResourceServer(row);
      } catch (error) {
        if (isUniqueViolation(error, 'identifier')) {
          throw new ConflictError(`A resource server with the same identifier already exists`);
        }
        if (isUniqueViolation(error)) throw new ConflictError('scope values of an API must be unique');
        throw error;
      }
    },
    async findByIdentifier(tenantId, identifier) {
      const row = await prisma.resourceServer.findUnique({
        where: { tenantId_identifier: { tenantId, identifier } },
        include: withScopes,
      });
      return row ? toResourceServer(row) : undefined;
    },
    async findById(tenantId, id) {
      const row = await prisma.resourceServer.findFirst({ where: { tenantId, id }, include: withScopes });
      return row ? toResourceServer(row) : undefined;
    },
    async list(tenantId, { skip, take, identifiers }) {
      const where = { tenantId, ...(identifiers ? { identifier: { in: identifiers } } : {}) };
      const [rows, total] = await prisma.$transaction([
        prisma.resourceServer.findMany({
          where,
          include: withScopes,
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          skip,
          take,
        }),
        prisma.resourceServer.count({ where }),
      ]);
      return { resourceServers: rows.map(toResourceServer), total };
    },
    async update(tenantId, id, { scopes, ...fields }) {
      try {
        const row = await prisma.$transaction(async (tx) => {
          // The row lock first: grants and role permissions check their scopes under it
          // (lockDeclaredScopes), so a scope removed here cannot be granted in between.
          const locked = await tx.$queryRaw<{ id: string }[]>`
            SELECT id FROM resource_servers WHERE tenant_id = ${tenantId} AND id = ${id} FOR UPDATE`;
          if (locked.length === 0) throw noSuchApi(id);
          const current = await tx.resourceServer.findFirst({ where: { tenantId, id }, include: withScopes });
          if (!current) throw noSuchApi(id);
          if (scopes) {
            const kept = scopes.map((scope) => scope.value);
            const removed = current.scopes
              .map((scope) => scope.value)
              .filter((value) => !kept.includes(value));
            await tx.resourceServerScope.deleteMany({ where: { resourceServerId: id } });
            await tx.resourceServerScope.createMany({
              data: scopes.map(({ value, description }) => ({
                tenantId,
                resourceServerId: id,
                value,
                description,
              })),
            });
            if (removed.length > 0) await forgetScopes(tx, tenantId, current.identifier, removed);
          }
          return tx.resourceServer.update({
            where: { id, tenantId },
            // An update of scopes alone still marks the API as changed.
            data: { ...fields, updatedAt: new Date() },
            include: withScopes,
          });
        });
        return toResourceServer(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('scope values of an API must be unique');
        // Not expected under the row lock; should the API still vanish, it is a 404, not a 500.
        if (isRecordNotFound(error) || isForeignKeyViolation(error)) throw noSuchApi(id, error);
        throw error;
      }
    },
    async delete(tenantId, id) {
      try {
        await prisma.resourceServer.delete({ where: { id, tenantId } });
      } catch (error) {
        if (isRecordNotFound(error)) throw noSuchApi(id, error);
        throw error;
      }
    },
    async moveIdentifier(tenantId, id, identifier) {
      try {
        await prisma.resourceServer.update({ where: { id, tenantId }, data: { identifier } });
      } catch (error) {
        if (isRecordNotFound(error)) throw noSuchApi(id, error);
        if (isUniqueViolation(error))
          throw new ConflictError(`the tenant already has an API with identifier ${identifier}`);
        throw error;
      }
    },
  };
}

const noSuchApi = (id: string, cause?: unknown) => new NotFoundError(`no resource server ${id}`, { cause });

/**
 * An API that a grant or a role permission names is not in the tenant. A NotFoundError carrying
 * Auth0's code, so a caller can tell it from its own resource (the role, the client) missing.
 */
export class UnknownApiError extends NotFoundError {
  override readonly code = 'inexistent_resource_server';
  readonly audience: string;
  constructor(audience: string) {
    super(`No resource with identifier ${audience}`);
    this.audience = audience;
  }
}

/**
 * Locks the tenant's APIs named by `audiences` until `tx` ends and returns the scopes each declares
 * (by identifier; only the `wanted` ones, when given). A write that grants scopes checks them with
 * this in its own transaction: `update` takes the same row lock before it replaces scopes, so a
 * removal either commits first (the check sees it) or waits (its forgetScopes sees the new rows).
 * Rows are locked in id order, so two writers locking several APIs never deadlock. UnknownApiError
 * names the first audience the tenant does not have.
 */
export async function lockDeclaredScopes(
  tx: Prisma.TransactionClient,
  tenantId: string,
  audiences: string[],
  wanted?: string[],
): Promise<Map<string, Set<string>>> {
  const distinct = [...new Set(audiences)];
  if (distinct.length === 0) return new Map();
  const apis = await tx.$queryRaw<{ id: string; identifier: string }[]>`
    SELECT id, identifier FROM resource_servers
    WHERE tenant_id = ${tenantId} AND identifier IN (${Prisma.join(distinct)})
    ORDER BY id FOR UPDATE`;
  const missing = distinct.find((audience) => !apis.some((api) => api.identifier === audience));
  if (missing !== undefined) throw new UnknownApiError(missing);
  // A second statement rather than a join: one that waited for the lock rechecks only the locked
  // rows, the joined scopes would still be those from before a removal it waited for.
  const scopes = await tx.resourceServerScope.findMany({
    where: {
      tenantId,
      resourceServerId: { in: apis.map((api) => api.id) },
      ...(wanted ? { value: { in: [...new Set(wanted)] } } : {}),
    },
    select: { resourceServerId: true, value: true },
  });
  return new Map(
    apis.map((api) => [
      api.identifier,
      new Set(scopes.filter((s) => s.resourceServerId === api.id).map((s) => s.value)),
    ]),
  );
}

/** Takes scopes an API no longer declares out of role permissions and client grants. */
async function forgetScopes(
  tx: Prisma.TransactionClient,
  tenantId: string,
  audience: string,
  removed: string[],
) {
  await tx.rolePermission.deleteMany({
    where: { tenantId, resourceServerIdentifier: audience, permissionName: { in: removed } },
  });
  const grants = await tx.clientGrant.findMany({
    where: { tenantId, audience, scope: { hasSome: removed } },
  });
  for (const grant of grants) {
    await tx.clientGrant.update({
      where: { id: grant.id },
      data: { scope: grant.scope.filter((scope) => !removed.includes(scope)) },
    });
  }
}

function toResourceServer({
  scopes,
  ...row
}: Omit<ResourceServer, 'scopes'> & { scopes: ResourceServerScope[] }): ResourceServer {
  return { ...row, scopes: scopes.map(({ value, description }) => ({ value, description })) };
}
