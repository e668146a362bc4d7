import type { PrismaClient } from '../generated/prisma/client.ts';

/** Auth0's connection: where users come from (`auth0` is a database connection). */
export interface Connection {
  id: string;
  name: string;
  displayName: string | null;
  strategy: string;
  /** As stored, secrets included: callers strip them before anything leaves the server. */
  options: Record<string, unknown>;
  enabledClients: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ConnectionFilter {
  /** Any of these strategies. */
  strategies?: string[];
  name?: string;
}

export interface ConnectionRepository {
  /** The tenant's connections, by name. */
  list(tenantId: string, filter?: ConnectionFilter): Promise<Connection[]>;
  findById(tenantId: string, id: string): Promise<Connection | undefined>;
}

export function createConnectionRepository(prisma: PrismaClient): ConnectionRepository {
  return {
    async list(tenantId, { strategies, name } = {}) {
      const rows = await prisma.connection.findMany({
        where: {
          tenantId,
          ...(strategies === undefined ? {} : { strategy: { in: strategies } }),
          ...(name === undefined ? {} : { name }),
        },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      });
      return rows.map(toConnection);
    },
    async findById(tenantId, id) {
      const row = await prisma.connection.findFirst({ where: { tenantId, id } });
      return row ? toConnection(row) : undefined;
    },
  };
}

function toConnection(row: {
  id: string;
  name: string;
  displayName: string | null;
  strategy: string;
  options: unknown;
  enabledClients: string[];
  createdAt: Date;
  updatedAt: Date;
}): Connection {
  const options =
    row.options && typeof row.options === 'object' && !Array.isArray(row.options) ? row.options : {};
  return { ...row, options: options as Record<string, unknown> };
}
