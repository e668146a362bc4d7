import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../../packages/cli/src/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  until(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has exited. */
  exit(): Promise<number | null>;
}

/**
 * `tessera <args>` as a real process beside the test's server, sharing nothing but the environment
 * (TESSERA_DATA_DIR, DATABASE_URL…), as two processes on one host do. INIT_CWD is dropped (`pnpm
 * test` sets it); the working directory is the repository, as under `pnpm tessera`.
 */
export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const { INIT_CWD: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, ...args], {
    cwd: REPO,
    env: { ...inherited, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // 'close', not 'exit': by then all of stdout and stderr has been read.
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const cli: CliProcess = {
    child,
    stdout: '',
    stderr: '',
    until(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(cli.stdout);
          if (match === null) return;
          child.stdout!.off('data', check);
          resolve(match);
        };
        child.stdout!.on('data', check);
        check();
        exited.then(() => {
          const match = pattern.exec(cli.stdout);
          if (match) resolve(match);
          else
            reject(
              new Error(`tessera ${args.join(' ')} exited before ${pattern}:\n${cli.stdout}\n${cli.stderr}`),
            );
        });
      });
    },
    exit: () => exited,
  };
  // Registered before until()'s listeners, so a chunk is in cli.stdout when they look.
  child.stdout!.on('data', (chunk) => {
    cli.stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    cli.stderr += chunk;
  });
  return cli;
}

/** Runs `tessera <args>` to its end. */
export async function runCli(args: string[], env: Record<string, string>) {
  const cli = startCli(args, env);
  const code = await cli.exit();
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}
