import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { ClientGrant as ClientGrantRow, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { isRecordNotFound, isUniqueViolation } from './errors.ts';
import { newClientGrantId } from './ids.ts';
import { lockDeclaredScopes } from './resource-servers.ts';

/** Auth0's client grant: a machine client may get tokens for `audience` with (some of) `scope`. */
export interface ClientGrant {
  id: string;
  clientId: string;
  audience: string;
  scope: string[];
}

export interface ClientGrantFilter {
  clientId?: string;
  audience?: string;
}

export interface ClientGrantRepository {
  /**
   * NotFoundError when the tenant has no such client, UnknownApiError (a NotFoundError with code
   * `inexistent_resource_server`) when it has no such API (both are checked inside the tenant:
   * client ids are global, so the foreign key alone would accept another tenant's client);
   * InvalidRequestError for a scope the API does not declare (checked under the API's row lock, so
   * a concurrent scope removal cannot slip in between); ConflictError when the client already has
   * a grant for this API.
   */
  create(tenantId: string, input: Omit<ClientGrant, 'id'>): Promise<ClientGrant>;
  findById(tenantId: string, id: string): Promise<ClientGrant | undefined>;
  /** By id; `from` is the last id of the previous page (Auth0's checkpoint pagination). */
  list(
    tenantId: string,
    query: ClientGrantFilter & { skip?: number; from?: string; take: number },
  ): Promise<{ grants: ClientGrant[]; total: number }>;
  /**
   * Replaces the scopes, each checked as in `create`. NotFoundError for an unknown grant,
   * InvalidRequestError for an undeclared scope.
   */
  update(tenantId: string, id: string, scope: string[]): Promise<ClientGrant>;
  /** NotFoundError for an unknown grant. */
  delete(tenantId: string, id: string): Promise<void>;
}

export function createClientGrantRepository(prisma: PrismaClient): ClientGrantRepository {
  return {
    async create(tenantId, { clientId, audience, scope }) {
      try {
        const row = await prisma.$transaction(async (tx) => {
          if (!(await tx.client.findFirst({ where: { tenantId, clientId }, select: { clientId: true } }))) {
            throw new NotFoundError(`no client ${clientId}`);
          }
          await checkDeclared(tx, tenantId, audience, scope);
          return tx.clientGrant.create({
            data: { id: newClientGrantId(), tenantId, clientId, audience, scope },
          });
        });
        return toGrant(row);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError('Client grant already exists', { cause: error });
        throw error;
      }
    },
    async findById(tenantId, id) {
      const row = await prisma.clientGrant.findFirst({ where: { tenantId, id } });
      return row ? toGrant(row) : undefined;
    },
    async list(tenantId, { clientId, audience, skip, from, take }) {
      const where = {
        tenantId,
        ...(clientId === undefined ? {} : { clientId }),
        ...(audience === undefined ? {} : { audience }),
      };
      const [rows, total] = await prisma.$transaction([
        prisma.clientGrant.findMany({
          where: from === undefined ? where : { ...where, id: { gt: from } },
          orderBy: { id: 'asc' },
          skip,
          take,
        }),
        prisma.clientGrant.count({ where }),
      ]);
      return { grants: rows.map(toGrant), total };
    },
    async update(tenantId, id, scope) {
      try {
        const row = await prisma.$transaction(async (tx) => {
          const current = await tx.clientGrant.findFirst({
            where: { tenantId, id },
            select: { audience: true },
          });
          if (!current) throw new NotFoundError(`no client grant ${id}`);
          await checkDeclared(tx, tenantId, current.audience, scope);
          return tx.clientGrant.update({ where: { id, tenantId }, data: { scope } });
        });
        return toGrant(row);
      } catch (error) {
        // Deleted between the read and the write.
        if (isRecordNotFound(error)) throw new NotFoundError(`no client grant ${id}`, { cause: error });
        throw error;
      }
    },
    async delete(tenantId, id) {
      const { count } = await prisma.clientGrant.deleteMany({ where: { tenantId, id } });
      if (count === 0) throw new NotFoundError(`no client grant ${id}`);
    },
  };
}

/** Locks the API (see lockDeclaredScopes) and refuses a scope it does not declare. */
async function checkDeclared(
  tx: Prisma.TransactionClient,
  tenantId: string,
  audience: string,
  scope: string[],
) {
  const declared = (await lockDeclaredScopes(tx, tenantId, [audience], scope)).get(audience)!;
  const unknown = scope.find((value) => !declared.has(value));
  if (unknown !== undefined)
    throw new InvalidRequestError(`'${unknown}' is not a scope of the resource server '${audience}'`);
}

function toGrant(row: ClientGrantRow): ClientGrant {
  return { id: row.id, clientId: row.clientId, audience: row.audience, scope: row.scope };
}
