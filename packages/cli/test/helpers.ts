import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@tessera/core';
import { openStorage, type Storage } from '@tessera/storage';
import type { TestEnvironment } from '@tessera/testing';

/** The repository root, where `pnpm tessera` is defined. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real command (`node packages/cli/src/main.ts …`) in a child process. INIT_CWD is removed
 * from the inherited environment (`pnpm test` sets it) unless the test passes its own, so relative
 * paths resolve against `cwd` exactly as they would from a shell.
 */
export function tessera(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Exit {
  const { INIT_CWD: _inherited, ...env } = process.env;
  const child = spawnSync(process.execPath, ['--no-node-snapshot', MAIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...env, NODE_NO_WARNINGS: '1', ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** A temporary folder holding `files` (name → content), removed after the test file. */
export function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `exports.onExecutePostLogin = async (event, api) => { <body> };` (the body starts on line 2). */
export const action = (body: string, extra = '') =>
  `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};\n${extra}`;

export interface JsonReport {
  outcome: 'completed' | 'denied' | 'failed';
  commands: Array<Record<string, unknown> & { type: string }>;
  logs: Array<{ action: string; level: string; message: string; at: number }>;
  durationMs: number;
  error?: { kind: string; message: string; action?: string };
  denial?: Record<string, unknown> & { type: string };
  pause?: Record<string, unknown> & { type: string };
}

/** `--json` output: exactly one JSON object on stdout with the documented keys, and no other. */
export function report(exit: Exit, extra: 'error' | 'denial' | 'pause' | null = null): JsonReport {
  const lines = exit.stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line of JSON expected, got:\n${exit.stdout}`);
  const value = JSON.parse(lines[0] as string) as JsonReport;
  const keys = ['outcome', 'commands', 'logs', 'durationMs', ...(extra === null ? [] : [extra])];
  assert.deepEqual(Object.keys(value).sort(), keys.sort());
  return value;
}

/**
 * Opens the installation of `environment` in the test process between commands (never during one:
 * PGlite is single-process), to arrange what a command finds and read what it wrote.
 */
export async function withStorage<T>(
  environment: TestEnvironment,
  fn: (storage: Storage) => Promise<T>,
): Promise<T> {
  const storage = await openStorage({
    url: environment.env.DATABASE_URL,
    dataDir: environment.env.TESSERA_DATA_DIR!,
    bootRetryMs: 0,
    poolSize: 2,
    masterKey: Buffer.from(environment.env.TESSERA_MASTER_KEY!, 'hex'),
    log: silentLogger,
  });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
