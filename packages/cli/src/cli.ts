import { parseArgs } from 'node:util';
import { executionCommand } from './actions-execution.ts';
import { runActionCommand } from './actions-run.ts';
import { typesCommand } from './actions-types.ts';
import { deployCommand } from './deploy/index.ts';
import { parseDeployArgs } from './deploy/parse-args.ts';
import type { CliIo } from './io.ts';
import { tryCommand } from './try/index.ts';
import { parseTryArgs } from './try/parse-args.ts';

export const USAGE = `Usage:
  tessera try [--user <email> [--password <password>]] [--audience <api>] [--port <n>]
              [--issuer <url>] [--json]
      Logs in to the running server from a browser, as Auth0's "Try" button does, and prints the ID
      and access tokens' claims (the custom claims post-login actions set included). Uses the
      Management API credentials the server's first run wrote to <TESSERA_DATA_DIR>/first-run.json to
      create (or take back) the first-party app "Tessera Try", whose callback this command serves on
      http://127.0.0.1:<port>/callback, then prints the /authorize URL and waits for the browser.
      --user <email>       create this user of the database connection when missing, with --password
                           or a generated password it prints (an existing user keeps its password)
      --audience <api>     ask for an access token for this API (its identifier)
      --port <n>           the callback's port (default: a free one)
      --issuer <url>       the server's issuer, when first-run.json's is not (default: first-run.json's)
      --json               one JSON object per line: {"type":"authorize",…} then "tokens" or "error"
      Exit code: 0 logged in, 1 when the login or the server refused (access_denied from an action,
      server not running, no first-run.json), 2 on a usage error.
  tessera actions run <file.js> [--event <event.json>] [--secrets <secrets.json>] [--json]
      Runs a post-login action in the same sandbox as the server and prints its commands and logs.
      A missing or partial --event is completed with a realistic default event.
      --continue <state>   run onContinuePostLogin, as after a redirect back to /continue?state=<state>
      --timeout <ms>       the run's wall-clock budget (default 20000)
      Exit code: 0 when the run completed or denied, 1 when it failed, 2 on a usage error.
  tessera actions deploy <file.js> --name <name> [--secrets <secrets.json>] [--bind <n> | --no-bind]
                        [--tenant <name>] [--json]
      Checks the action, creates it (or replaces the draft code of the action with that name, and its
      secrets when --secrets is given), deploys it as a new version and binds it to post-login: at the
      end unless it is bound already (keeping its place), at 1-based position <n> with --bind, or not
      at all with --no-bind. Opens the server's database from the server's configuration (DATABASE_URL,
      TESSERA_DATA_DIR, TESSERA_MASTER_KEY…, a relative TESSERA_DATA_DIR from the working directory as
      for the server); the embedded database only while the server is stopped.
      --tenant <name>      the tenant (default: the default tenant)
      Exit code: 0 when deployed, 1 when the check or the database refused it, 2 on a usage error.
  tessera actions execution <id> [--tenant <name>] [--json]
      Prints the execution record a login's log line names ("post-login trigger ran", field
      "execution"): status, and per action its version, handler, duration, error, commands and console
      output. Opens the server's database as deploy does; when a running server holds the embedded
      database, asks that server's Management API instead (with first-run.json's credentials, as
      try does; the default tenant only). Exit code: 0 shown, 1 not found or refused.
  tessera actions types [--out <file>]
      Writes the TypeScript description of event and api (default ./post-login.d.ts).
  Relative paths are read from the directory the command was started in (INIT_CWD under pnpm).
`;

/** Parses and dispatches; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [group, command, ...rest] = argv;
  // `--help` anywhere (`tessera actions run --help`) is a request for help, not an unknown option.
  if (argv.includes('--help') || argv.includes('-h') || group === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  try {
    if (group === 'actions' && command === 'run') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          event: { type: 'string' },
          secrets: { type: 'string' },
          json: { type: 'boolean', default: false },
          continue: { type: 'string' },
          timeout: { type: 'string' },
        },
      });
      if (positionals.length !== 1) return usage(io, 'actions run needs exactly one action file');
      const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
      if (
        timeoutMs !== undefined &&
        (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)
      ) {
        return usage(io, '--timeout must be an integer between 100 and 120000 (ms)');
      }
      return await runActionCommand({ file: positionals[0] as string, ...values, timeoutMs }, io);
    }
    if (group === 'try') {
      const parsed = parseTryArgs(argv.slice(1));
      return typeof parsed === 'string' ? usage(io, parsed) : await tryCommand(parsed, io);
    }
    if (group === 'actions' && command === 'deploy') {
      const parsed = parseDeployArgs(rest);
      return typeof parsed === 'string' ? usage(io, parsed) : await deployCommand(parsed, io);
    }
    if (group === 'actions' && command === 'execution') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { tenant: { type: 'string' }, json: { type: 'boolean', default: false } },
      });
      if (positionals.length !== 1) return usage(io, 'actions execution needs exactly one execution id');
      return await executionCommand({ id: positionals[0] as string, ...values }, io);
    }
    if (group === 'actions' && command === 'types') {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      return await typesCommand(values.out, io);
    }
    if (group === undefined) {
      io.stdout(USAGE);
      return 0;
    }
    return usage(io, `unknown command: ${argv.join(' ')}`);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      return usage(io, error.message);
    }
    throw error;
  }
}

function usage(io: CliIo, problem: string): number {
  io.stderr(`tessera: ${problem}\n\n${USAGE}`);
  return 2;
}
