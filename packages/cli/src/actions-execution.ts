import { loadConfig } from '@tessera/config';
import type { ExecutionRecord, Storage } from '@tessera/storage';
import { fetchExecution } from './actions-execution-remote.ts';
import { DeployError } from './deploy/deploy-error.ts';
import { findTenant } from './deploy/find-tenant.ts';
import { DataDirInUse, openInstallation } from './deploy/open-installation.ts';
import { cliLogger, reportFailure } from './deploy/report.ts';
import type { CliIo } from './io.ts';

interface ActionResult {
  action_name?: string;
  version_id?: string;
  handler?: string;
  duration_ms?: number;
  error?: { kind: string; message: string } | null;
  commands?: Array<Record<string, unknown>>;
  logs?: Array<{ level: string; message: string; at: number }>;
}

/**
 * `tessera actions execution <id>`: the execution record a login's log line names
 * (`post-login trigger ran … execution`), read from the server's database: each action's version,
 * handler, duration, error, commands and console output (secrets already redacted when stored).
 */
export async function executionCommand(
  options: { id: string; tenant?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  try {
    const record = await readExecution(options, io);
    if (options.json) {
      io.stdout(`${JSON.stringify(record)}\n`);
      return 0;
    }
    io.stdout(
      `execution ${record.id}: ${record.triggerId} ${record.status} in ${record.durationMs} ms ` +
        `(${record.startedAt.toISOString()}, user ${record.userId ?? '-'}, client ${record.clientId ?? '-'})\n`,
    );
    for (const result of record.results as ActionResult[]) {
      if (result.action_name === undefined) {
        if (result.error) io.stdout(`  run failed (${result.error.kind}): ${result.error.message}\n`);
        continue;
      }
      io.stdout(
        `  ${result.action_name} ${result.handler ?? ''} version ${result.version_id ?? '?'}: ${result.duration_ms ?? '?'} ms` +
          `${result.error ? `, failed (${result.error.kind}): ${result.error.message}` : ''}\n`,
      );
      for (const command of result.commands ?? []) {
        const { type, action: _action, ...rest } = command;
        io.stdout(`    ${String(type)} ${JSON.stringify(rest)}\n`);
      }
      for (const log of result.logs ?? [])
        io.stdout(`    ${new Date(log.at).toISOString()} ${log.level.padEnd(5)} ${log.message}\n`);
    }
    return 0;
  } catch (error) {
    return reportFailure(io, error);
  }
}

/**
 * The database first: it needs no server, reads any tenant and is what the server itself reads.
 * Only when a running server holds the embedded database (PGlite is one process's, and its lock is
 * never broken) is that server asked through its Management API. On Postgres the database is
 * always opened directly, server running or not.
 */
async function readExecution(options: { id: string; tenant?: string }, io: CliIo): Promise<ExecutionRecord> {
  let storage: Storage;
  try {
    storage = await openInstallation(loadConfig({ env: process.env }), cliLogger(io));
  } catch (error) {
    if (error instanceof DataDirInUse) return fetchExecution(options.id, options.tenant);
    throw error;
  }
  try {
    const tenant = await findTenant(storage, options.tenant);
    const record = await storage.executions.get(tenant.id, options.id);
    if (record === undefined) throw new DeployError(`no execution ${options.id} in tenant ${tenant.name}`);
    return record;
  } finally {
    await storage.close();
  }
}
