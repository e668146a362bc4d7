import type { FastifyRequest } from 'fastify';
import type { ManagementDeps } from './deps.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Names whose values are credentials. `value` is one only inside an action's `secrets` list (a scope's
// `value` is its name, which the log should show).
const SECRET_KEY = /^(password|client_secret|secret|private_key|key|signing_key|token|access_token)$/i;
const MAX_STRING = 512;
const MAX_KEYS = 100;
const MAX_KEY = 128;
/** A record's request body and query together stay under this (JSON characters); beyond, a summary. */
const MAX_DETAILS = 16_384;

/**
 * Auth0's `sapi` / `fapi` log events: every write an authenticated caller attempts is recorded with
 * who (client), what (method, path, the body with secrets and passwords redacted) and when, whether
 * it succeeded or not. Anonymous and unauthorized attempts are not recorded (a flood of bad tokens
 * must not fill the log); they are in the request log. The record is written after the response:
 * a failure to write it is logged, never turned into a failed API call after the change was made.
 */
export async function recordWrite(
  deps: Pick<ManagementDeps, 'storage' | 'log'>,
  request: FastifyRequest,
  statusCode: number,
): Promise<void> {
  if (!WRITES.has(request.method) || !request.caller || request.tenant === null) return;
  const route = request.routeOptions;
  const event = {
    type: statusCode < 400 ? 'sapi' : 'fapi',
    description: route.config?.audit ?? `${request.method} ${route.url ?? request.url}`,
    clientId: request.caller.clientId,
    ip: request.ip,
    userAgent: clean(truncate(request.headers['user-agent'] ?? '')),
  };
  const summary = {
    method: request.method.toLowerCase(),
    path: clean(request.url.split('?')[0] ?? '').slice(0, 1024),
    channel: 'api',
    auth: {
      strategy: 'jwt',
      credentials: { jti: request.caller.tokenId ?? null, client_id: request.caller.clientId },
    },
  };
  try {
    const client = await deps.storage.clients.findById(request.tenant.id, request.caller.clientId);
    const tenantId = request.tenant.id;
    const record = (requestDetails: Record<string, unknown>) =>
      deps.storage.auditLogs.record(tenantId, {
        ...event,
        clientName: client?.name ?? null,
        details: { request: requestDetails, response: { statusCode } },
      });
    await record({ ...summary, ...bounded(request.query, request.body) }).catch((error: unknown) => {
      // Whatever in the details the database refused, the write itself is still recorded.
      request.log.warn({ err: error }, 'audit log: details refused; recording the write without them');
      return record(summary);
    });
  } catch (error) {
    request.log.error({ err: error }, 'could not record the management api write in the audit log');
  }
}

/** Query and redacted body, or their size when together they are too large to keep. */
function bounded(query: unknown, body: unknown): { query: unknown; body: unknown } {
  const kept = { query: redact(query ?? {}), body: redact(body) };
  const size = JSON.stringify(kept).length;
  return size <= MAX_DETAILS ? kept : { query: '[omitted]', body: `[${size} characters of JSON]` };
}

/** Text jsonb can store: no NUL, no lone surrogate (validation refuses them; failed requests keep them). */
const clean = (text: string) => text.replaceAll('\u0000', '\uFFFD').toWellFormed();

/** A copy safe to keep: secret-looking values replaced, long strings (action code) summarised. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string')
    return value.length > MAX_STRING ? `[${value.length} characters]` : clean(value);
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redact(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, MAX_KEYS)
      .map(([key, item]) => [
        clean(key.slice(0, MAX_KEY)),
        SECRET_KEY.test(key)
          ? '[redacted]'
          : key === 'secrets'
            ? redactSecrets(item)
            : redact(item, depth + 1),
      ]),
  );
}

/** An action's `secrets`: names kept, values never. */
function redactSecrets(secrets: unknown): unknown {
  if (!Array.isArray(secrets)) return '[redacted]';
  return secrets
    .slice(0, 100)
    .map((secret) =>
      secret !== null && typeof secret === 'object' && typeof (secret as { name?: unknown }).name === 'string'
        ? { name: clean((secret as { name: string }).name.slice(0, MAX_STRING)), value: '[redacted]' }
        : '[redacted]',
    );
}

const truncate = (text: string) => text.slice(0, 256);
