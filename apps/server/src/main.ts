import { existsSync } from 'node:fs';
import { ConfigError } from '@tessera/core';
import { boot } from './boot.ts';

/**
 * The process: boot, then shut down gracefully on SIGTERM/SIGINT. Configuration errors and an
 * unreachable database end the process with exit code 1 and one line saying why.
 */
async function main() {
  let running: Awaited<ReturnType<typeof boot>>;
  try {
    running = await boot({ env: process.env, inDocker: existsSync('/.dockerenv') });
  } catch (error) {
    const line =
      error instanceof ConfigError
        ? `invalid configuration: ${error.message}`
        : `tessera failed to start: ${(error as Error).message}`;
    process.stderr.write(`${line.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(1);
  }

  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      running.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    running.app.log.info({ signal }, 'shutting down: draining in-flight requests');
    running.close().then(
      () => {
        running.app.log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        running.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
