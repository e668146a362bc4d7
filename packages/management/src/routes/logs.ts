import type { AuditLog } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent, invalidQuery } from '../errors.ts';
import { listQuery, listResponse, pageOf, project } from '../query.ts';
import { ANY, object, offsetList, STRING } from '../responses.ts';

/** Auth0's log event (toWire); `details` is the event's own record (redacted when written). */
const LOG = object({
  log_id: STRING,
  date: STRING,
  type: STRING,
  description: STRING,
  client_id: STRING,
  client_name: STRING,
  user_id: STRING,
  user_name: STRING,
  connection: STRING,
  ip: STRING,
  user_agent: STRING,
  details: ANY,
});

/**
 * Auth0's `/logs`: the tenant's log events, newest first, filterable by type, user and client; or,
 * with `from` (a log id), Auth0's checkpoint mode: up to `take` events after that one, oldest first,
 * every other parameter ignored (how log exporters follow the log).
 */
export function logRoutes(api: ManagementApi, { storage }: ManagementDeps): void {
  api.get(
    '/logs',
    {
      config: { scopes: ['read:logs'] },
      schema: {
        querystring: listQuery(
          {
            sort: { type: 'string', enum: ['date:1', 'date:-1'] },
            q: { type: 'string', maxLength: 1024 },
            /** The auth0 SDK's name for `q`. */
            search: { type: 'string', maxLength: 1024 },
            from: { type: 'string', minLength: 1, maxLength: 64 },
            take: { type: 'integer', minimum: 1, maximum: 100 },
          },
          { fields: true },
        ),
        // Checkpoint mode (`from`) answers a bare array too.
        response: { 200: offsetList('logs', LOG) },
      },
    },
    async (request) => {
      if (request.query.from !== undefined) {
        const logs = await storage.auditLogs.listFrom(
          request.tenant.id,
          request.query.from,
          request.query.take ?? 50,
        );
        return logs.map(toWire);
      }
      const { page, perPage, skip } = pageOf(request.query);
      // Auth0's limit: pages reach the first 1000 events; further back is checkpoint paging (from/take),
      // which walks an index instead of skipping rows.
      if (skip + perPage > 1000) {
        throw invalidQuery(
          'Query validation error: you can only page through the first 1000 records; use from and take (checkpoint pagination).',
        );
      }
      const q = [request.query.q, request.query.search].filter((term) => term?.trim()).join(' AND ');
      const filter = parseLogQuery(q);
      const { logs, total } = await storage.auditLogs.list(request.tenant.id, {
        page,
        perPage,
        ascending: request.query.sort === 'date:1',
        withTotal: request.query.include_totals === true,
        ...filter,
      });
      const items = logs.map((log) => project(toWire(log), request.query));
      return listResponse('logs', items, total, request.query);
    },
  );

  api.get(
    '/logs/:id',
    {
      config: { scopes: ['read:logs'] },
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: LOG },
      },
    },
    async (request) => {
      const log = await storage.auditLogs.get(request.tenant.id, request.params.id);
      if (!log) throw inexistent('log', 'The log does not exist.');
      return toWire(log);
    },
  );
}

const TERM = /^(type|user_id|client_id):(?:"([^"]{1,256})"|([A-Za-z0-9_|@.-]{1,256}))$/;

/**
 * The part of Auth0's Lucene log search Tessera supports: `type:<code>`, `user_id:"<id>"` and
 * `client_id:"<id>"` terms joined by AND (or spaces). Anything else is a 400 naming what is supported.
 */
function parseLogQuery(q: string | undefined): { types?: string[]; userId?: string; clientId?: string } {
  if (q === undefined || q.trim() === '') return {};
  const filter: { types?: string[]; userId?: string; clientId?: string } = {};
  for (const term of q.split(/\s+AND\s+|\s+/).filter(Boolean)) {
    const match = TERM.exec(term);
    if (!match) {
      throw invalidQuery(
        `Query validation error: unsupported log search '${term.slice(0, 64)}'; use type:<code>, user_id:"<id>" or client_id:"<id>" joined by AND.`,
      );
    }
    const value = match[2] ?? match[3]!;
    if (match[1] === 'type') filter.types = [...(filter.types ?? []), value];
    else if (match[1] === 'user_id') filter.userId = value;
    else filter.clientId = value;
  }
  return filter;
}

/** Auth0's log event shape; absent values (and empty details) are left out, as Auth0 does. */
export function toWire(log: AuditLog): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    log_id: log.logId,
    date: log.date.toISOString(),
    type: log.type,
    description: log.description,
    client_id: log.clientId,
    client_name: log.clientName,
    user_id: log.userId,
    user_name: log.userName,
    connection: log.connection,
    ip: log.ip,
    user_agent: log.userAgent,
    details: log.details,
  };
  const empty = (value: unknown) =>
    value === null ||
    value === '' ||
    (typeof value === 'object' && Object.keys(value as object).length === 0);
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => !empty(value)));
}
