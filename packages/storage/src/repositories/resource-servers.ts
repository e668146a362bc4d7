import { ConflictError, NotFoundError } from '@tessera/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { isRecordNotFound, isUniqueViolation } from './errors.ts';
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
          const current = await tx.resourceServer.findFirst({ where: { tenantId, id }, include: withScopes });
          if (!current) throw new NotFoundError(`no resource server ${id}`);
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
            where: { id },
            // An update of scopes alone still marks the API as changed.
            data: { ...fields, updatedAt: new Date() },
            include: withScopes,
          });
        });
        return toResourceServer(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('scope values of an API must be unique');
        throw error;
      }
    },
    async delete(tenantId, id) {
      try {
        await prisma.resourceServer.delete({ where: { id, tenantId } });
      } catch (error) {
        if (isRecordNotFound(error)) throw new NotFoundError(`no resource server ${id}`);
        throw error;
      }
    },
  };
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
