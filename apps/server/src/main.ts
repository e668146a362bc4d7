import { existsSync } from 'node:fs';
import { ConfigError } from '@tessera/core';
import { boot, type Running } from './boot.ts';

/**
 * The process: boot, then shut down gracefully on SIGTERM/SIGINT. Configuration errors and an
 * unreachable database end the process with exit code 1 and one line saying why.
 */
let running: Running | undefined;
let stopping = false;
let signals = 0;

// Installed before boot: a signal that arrives while booting is honoured as soon as boot is done,
// instead of killing the process half-way through a migration or first-run setup.
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    process.stderr.write(`second ${signal}: exiting now\n`);
    process.exit(1);
  }
  stopping = true;
  if (running) void stop(running, signal);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

async function stop(server: Running, signal: string) {
  server.app.log.info({ signal }, 'shutting down: draining in-flight requests');
  try {
    await server.close();
    server.app.log.info('shutdown complete');
    exitAfterLogs(server, 0);
  } catch (error) {
    server.app.log.error({ err: error }, 'shutdown failed');
    exitAfterLogs(server, 1);
  }
}

/**
 * pino writes stdout asynchronously: a line still in its buffer while an earlier write is in flight
 * can be lost by process.exit (seen once in CI: "shutdown complete" missing after a clean exit), so
 * the logger is flushed first, for at most a second.
 */
function exitAfterLogs(server: Running, code: number): void {
  const log = server.app.log as unknown as { flush?: (done: (error?: Error) => void) => void };
  setTimeout(() => process.exit(code), 1000).unref();
  if (log.flush) log.flush(() => process.exit(code));
  else process.exit(code);
}

try {
  running = await boot({ env: process.env, inDocker: existsSync('/.dockerenv'), routeConsole: true });
} catch (error) {
  const line =
    error instanceof ConfigError
      ? `invalid configuration: ${error.message}`
      : `tessera failed to start: ${(error as Error).message}`;
  process.stderr.write(`${line.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
if (stopping) await stop(running, 'signal during boot');
