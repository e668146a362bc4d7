import { randomBytes } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/**
 * Auth0's log event (`/api/v2/logs`), the fields Tessera fills. `type` is Auth0's event code: `s`
 * (successful login), `f` / `fp` / `fu` (failed login: generic, wrong password, unknown user),
 * `seacft` / `feacft` (code exchange), `sertft` / `fertft` (refresh token exchange), `seccft` /
 * `feccft` (client credentials exchange), `sapi` / `fapi` (Management API write).
 */
export interface AuditEvent {
  type: string;
  description?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  userId?: string | null;
  userName?: string | null;
  connection?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to now. */
  date?: Date;
}

export interface AuditLog extends Required<Omit<AuditEvent, 'details' | 'date'>> {
  logId: string;
  date: Date;
  details: Record<string, unknown>;
}

export interface AuditLogQuery {
  /** Zero-based page of `perPage` events, newest first (Auth0's default order). */
  page: number;
  perPage: number;
  /** Oldest first instead. */
  ascending?: boolean;
  /** Only these event types. */
  types?: string[];
  userId?: string;
  clientId?: string;
  /** Count the matching events too (a full count is the costly part: only when asked). */
  withTotal?: boolean;
}

export interface AuditLogRepository {
  /** Returns the new event's `log_id`. */
  record(tenantId: string, event: AuditEvent): Promise<string>;
  get(tenantId: string, logId: string): Promise<AuditLog | undefined>;
  list(tenantId: string, query: AuditLogQuery): Promise<{ logs: AuditLog[]; total: number }>;
  /**
   * Auth0's checkpoint read: up to `take` events recorded after the event `fromLogId`, oldest first.
   * Ids order by time (see `newLogId`), so "after" is a comparison of ids, stable under new writes.
   */
  listFrom(tenantId: string, fromLogId: string, take: number): Promise<AuditLog[]>;
}

/**
 * Auth0's log ids are 56 characters starting with `900`; ours are `900`, the time in milliseconds
 * (15 digits, so ids sort by time) and 19 random bytes in hex.
 */
const newLogId = (date: Date) =>
  `900${String(date.getTime()).padStart(15, '0')}${randomBytes(19).toString('hex')}`;

export function createAuditLogRepository(prisma: PrismaClient): AuditLogRepository {
  return {
    async record(tenantId, event) {
      const date = event.date ?? new Date();
      const logId = newLogId(date);
      await prisma.auditLog.create({
        data: {
          logId,
          tenantId,
          date,
          type: event.type,
          description: event.description ?? null,
          clientId: event.clientId ?? null,
          clientName: event.clientName ?? null,
          userId: event.userId ?? null,
          userName: event.userName ?? null,
          connection: event.connection ?? null,
          ip: event.ip ?? null,
          userAgent: event.userAgent ?? null,
          details: (event.details ?? {}) as Prisma.InputJsonValue,
        },
      });
      return logId;
    },
    async get(tenantId, logId) {
      const row = await prisma.auditLog.findFirst({ where: { tenantId, logId } });
      return row === null ? undefined : toLog(row);
    },
    async list(tenantId, query) {
      const where: Prisma.AuditLogWhereInput = {
        tenantId,
        ...(query.types ? { type: { in: query.types } } : {}),
        ...(query.userId ? { userId: query.userId } : {}),
        ...(query.clientId ? { clientId: query.clientId } : {}),
      };
      const order = query.ascending ? 'asc' : 'desc';
      const rows = await prisma.auditLog.findMany({
        where,
        orderBy: [{ date: order }, { logId: order }],
        skip: query.page * query.perPage,
        take: query.perPage,
      });
      const total = query.withTotal ? await prisma.auditLog.count({ where }) : rows.length;
      return { logs: rows.map(toLog), total };
    },
    async listFrom(tenantId, fromLogId, take) {
      const rows = await prisma.auditLog.findMany({
        where: { tenantId, logId: { gt: fromLogId } },
        orderBy: { logId: 'asc' },
        take,
      });
      return rows.map(toLog);
    },
  };
}

function toLog(row: Prisma.AuditLogGetPayload<object>): AuditLog {
  return {
    logId: row.logId,
    date: row.date,
    type: row.type,
    description: row.description,
    clientId: row.clientId,
    clientName: row.clientName,
    userId: row.userId,
    userName: row.userName,
    connection: row.connection,
    ip: row.ip,
    userAgent: row.userAgent,
    details: row.details as Record<string, unknown>,
  };
}
