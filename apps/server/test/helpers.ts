import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { PostLoginPort } from '@tessera/core';
import { createTestEnvironment } from '@tessera/testing';
import type { FastifyPluginAsync } from 'fastify';
import { boot, type Running } from '../src/boot.ts';

export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../src/main.ts');

export interface TestServer extends Running {
  env: Record<string, string>;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Boots a real server (real database, real KV, real port) in this process, isolated from other tests. */
export async function startServer(
  options: { env?: Record<string, string>; plugins?: FastifyPluginAsync[]; postLogin?: PostLoginPort } = {},
): Promise<TestServer> {
  const environment = await createTestEnvironment({ LOG_LEVEL: 'info', ...options.env });
  const logs: Record<string, unknown>[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  try {
    const banner = new Writable({ write: (_chunk, _encoding, done) => done() });
    const running = await boot({
      env: environment.env,
      logDestination,
      console: banner,
      plugins: options.plugins,
      postLogin: options.postLogin,
    });
    return {
      ...running,
      env: environment.env,
      logs,
      async stop() {
        await running.close();
        await environment.cleanup();
      },
    };
  } catch (error) {
    await environment.cleanup();
    throw error;
  }
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/main.ts` as a real process; `until` decides when it has shown enough (then SIGTERM). */
export async function runMain(
  env: Record<string, string>,
  options: { until?: (stdout: string) => boolean; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (options.until?.(stdout) && !child.killed) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  clearTimeout(killer);
  return { code, stdout, stderr };
}

export const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A TCP port that was free a moment ago (for processes that must be told their port up front). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });

export interface MainProcess {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

/** `src/main.ts` as a real process (what a container runs), its output kept for diagnostics. */
export function spawnMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['--no-node-snapshot', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: MainProcess = { child, stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => {
    proc.stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    proc.stderr += chunk;
  });
  return proc;
}

/** Resolves when the process logs that it listens; rejects with its stderr if it exits first. */
export async function listening(proc: MainProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (logLines(proc.stdout).some((line) => line.msg === 'tessera is listening')) return;
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `a server process exited (${proc.child.exitCode ?? proc.child.signalCode}) while booting: ${proc.stderr.trim()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`a server process did not listen within ${timeoutMs} ms: ${proc.stderr.trim()}`);
}

/** SIGTERM (or `signal`), then SIGKILL after 10 s; resolves when the process has exited. */
export async function stopProcess(proc: MainProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = once(proc.child, 'exit');
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface Certificate {
  dir: string;
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
}

/**
 * A throw-away self-signed certificate for `localhost` and 127.0.0.1 (for `TESSERA_TLS_CERT_FILE` /
 * `TESSERA_TLS_KEY_FILE`). With `trust`, this process trusts it from then on (fetch, the `auth0` SDK,
 * https requests), as a company CA would be trusted; a child process is given `NODE_EXTRA_CA_CERTS`.
 */
export async function localhostCertificate(options: { trust?: boolean } = {}): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject];
  execFileSync('openssl', [...args, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  if (options.trust) {
    setDefaultCACertificates([...getCACertificates('default'), readFileSync(certFile, 'utf8')]);
  }
  return { dir, certFile, keyFile, remove: () => rm(dir, { recursive: true, force: true }) };
}
