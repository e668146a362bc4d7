import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  completePostLoginEvent,
  createActionsRuntime,
  type PostLoginEvent,
  type RunResult,
} from '@tessera/actions';
import { createMemoryKv } from '@tessera/storage';
import type { CliIo } from './io.ts';
import { readJson, readSecrets, UsageError } from './json-input.ts';

interface RunOptions {
  file: string;
  event?: string;
  secrets?: string;
  json?: boolean;
  continue?: string;
  timeoutMs?: number;
}

/**
 * `tessera actions run`: the action runs in the very sandbox the server uses (a worker process,
 * isolated-vm, the same api and limits), against an in-memory cache, so what it prints is what a
 * login would do.
 */
export async function runActionCommand(options: RunOptions, io: CliIo): Promise<number> {
  let code: string;
  let event: PostLoginEvent;
  let secrets: Record<string, string> = {};
  try {
    code = await readFile(resolve(io.cwd, options.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read action ${options.file}: ${error.code ?? String(error)}`);
    });
    const partial =
      options.event === undefined ? {} : await readJson(resolve(io.cwd, options.event), 'event');
    try {
      event = completePostLoginEvent(partial);
    } catch (error) {
      throw new UsageError(`--event: ${(error as Error).message}`);
    }
    if (options.secrets !== undefined) secrets = await readSecrets(resolve(io.cwd, options.secrets));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tessera: ${error.message}\n`);
    return 2;
  }

  const kv = createMemoryKv();
  const runtime = createActionsRuntime({ workers: 1, kv, timeoutMs: options.timeoutMs });
  try {
    const check = await runtime.check(code);
    let result: RunResult;
    if (!check.ok) {
      const problem = check.problems[0];
      const where = problem?.line === undefined ? '' : ` (${options.file}:${problem.line}:${problem.column})`;
      result = {
        outcome: 'failed',
        kind: check.kind,
        action: { id: 'local', name: options.file },
        message: `${check.problems.map((p) => p.message).join('; ')}${where}`,
        commands: [],
        actions: [],
        logs: [],
        durationMs: 0,
      };
    } else {
      result = await runtime.run({
        tenantId: 'local',
        trigger: 'post-login',
        event,
        actions: [{ id: 'local', name: options.file, versionId: 'local', code, secrets }],
        ...(options.continue === undefined ? {} : { resume: { index: 0, state: options.continue } }),
      });
    }
    if (result.outcome === 'failed') result = { ...result, message: inFile(result.message, options.file) };
    io.stdout(options.json ? `${JSON.stringify(toJson(result))}\n` : toText(result));
    return result.outcome === 'failed' ? 1 : 0;
  } finally {
    await runtime.close();
    await kv.close();
  }
}

/** The sandbox names the tenant's script `action.js`; here it is the user's file. */
const inFile = (message: string, file: string) =>
  message.replace(/\(action\.js:(\d+):(\d+)\)/g, (_, line, column) => `(${file}:${line}:${column})`);

function toJson(result: RunResult) {
  const base = {
    outcome: result.outcome,
    commands: result.commands,
    logs: result.logs,
    durationMs: result.durationMs,
  };
  if (result.outcome === 'denied') return { ...base, denial: result.denial };
  if (result.outcome === 'failed')
    return { ...base, error: { kind: result.kind, message: result.message, action: result.action?.name } };
  return result.pause === undefined ? base : { ...base, pause: result.pause };
}

function toText(result: RunResult): string {
  const lines = [`outcome: ${result.outcome} (${result.durationMs} ms)`];
  if (result.outcome === 'failed') lines.push(`error: ${result.kind}: ${result.message}`);
  if (result.outcome === 'denied') lines.push(`denied by: ${result.denial.type}`);
  if (result.outcome === 'completed' && result.pause !== undefined)
    lines.push(`paused by: ${result.pause.type}`);
  lines.push(`commands (${result.commands.length}):`);
  for (const { action: _action, type, ...args } of result.commands)
    lines.push(`  ${type} ${JSON.stringify(args)}`);
  lines.push(`logs (${result.logs.length}):`);
  for (const entry of result.logs)
    lines.push(`  ${new Date(entry.at).toISOString()} ${entry.level.padEnd(5)} ${entry.message}`);
  return `${lines.join('\n')}\n`;
}
