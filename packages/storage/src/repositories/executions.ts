import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/** One trigger run as an admin reads it (Auth0's `/actions/executions/{id}`); secrets already redacted. */
export interface ExecutionRecord {
  id: string;
  triggerId: string;
  /** `success` | `denied` | `paused` | `error` */
  status: string;
  /** Per action: id, name, version, duration, commands, logs, error. */
  results: unknown[];
  clientId: string | null;
  userId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
}

export interface ExecutionRepository {
  create(tenantId: string, input: Omit<ExecutionRecord, 'id'>): Promise<string>;
  get(tenantId: string, id: string): Promise<ExecutionRecord | undefined>;
}

export function createExecutionRepository(prisma: PrismaClient): ExecutionRepository {
  return {
    async create(tenantId, input) {
      const row = await prisma.execution.create({
        data: { tenantId, ...input, results: input.results as Prisma.InputJsonValue },
        select: { id: true },
      });
      return row.id;
    },
    async get(tenantId, id) {
      const row = await prisma.execution.findFirst({ where: { id, tenantId } });
      if (row === null) return undefined;
      return {
        id: row.id,
        triggerId: row.triggerId,
        status: row.status,
        results: row.results as unknown[],
        clientId: row.clientId,
        userId: row.userId,
        startedAt: row.startedAt,
        endedAt: row.endedAt,
        durationMs: row.durationMs,
      };
    },
  };
}
