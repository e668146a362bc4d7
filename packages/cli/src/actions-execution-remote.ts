import type { ExecutionRecord } from '@tessera/storage';
import { DeployError } from './deploy/deploy-error.ts';
import { ApiRefusal, connectManagement } from './first-run-management.ts';

/** An execution's result as the Management API shows it (packages/management `executionWire`). */
interface WireResult {
  action_name?: string;
  error?: { id: string; msg: string } | null;
  started_at?: string;
  ended_at?: string;
  [extra: string]: unknown;
}

interface WireExecution {
  id: string;
  trigger_id: string;
  outcome: string;
  results: WireResult[];
  created_at: string;
  updated_at: string;
  client_id: string | null;
  user_id: string | null;
  duration_ms: number | null;
}

/**
 * The execution read through the running server's `GET /api/v2/actions/executions/{id}`, as the
 * first-run client of the default tenant, put back in the shape the database holds so that both
 * paths print alike. What the API leaves out stays out: per-action start and end times are dropped
 * again, and a run failure the failing action already carries is not repeated.
 */
export async function fetchExecution(id: string, tenant: string | undefined): Promise<ExecutionRecord> {
  if (tenant !== undefined) {
    throw new DeployError(
      '--tenant needs the database: the running server is asked with first-run.json, which is the ' +
        "default tenant's; stop the server or run Tessera on Postgres (DATABASE_URL) to read another tenant",
    );
  }
  const api = await connectManagement({ env: process.env });
  let wire: WireExecution;
  try {
    wire = await api.call<WireExecution>('GET', `/actions/executions/${encodeURIComponent(id)}`);
  } catch (error) {
    // The route's own bound on ids (64 characters) answers 400: either way there is no such execution.
    if (error instanceof ApiRefusal && (error.status === 404 || error.status === 400))
      throw new DeployError(`no execution ${id} in the default tenant (asked ${api.issuer})`);
    throw error;
  }
  return {
    id: wire.id,
    triggerId: wire.trigger_id,
    status: wire.outcome,
    results: wire.results.map(({ started_at: _start, ended_at: _end, error, ...result }) => ({
      ...result,
      error: error ? { kind: error.id, message: error.msg } : null,
    })),
    clientId: wire.client_id,
    userId: wire.user_id,
    startedAt: new Date(wire.created_at),
    endedAt: new Date(wire.updated_at),
    durationMs: wire.duration_ms,
  };
}
