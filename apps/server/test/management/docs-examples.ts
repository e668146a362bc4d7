import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ProcessResult } from '../helpers.ts';

const ROOT = join(import.meta.dirname, '../../../..');
export const SDK = { heading: 'Deploy an action with the `auth0` SDK', name: 'roles-and-plan (sdk)' };
export const CURL = { heading: 'Deploy an action with `curl`', name: 'roles-and-plan (curl)' };

const missingTools = ['bash', 'curl', 'jq'].filter((tool) => !onPath(tool));
/** Why the curl example cannot run here (false when it can). */
export const curlSkip =
  missingTools.length > 0 && `the curl example needs ${missingTools.join(', ')} on PATH`;

export interface Examples {
  /** The environment the page names, for the server at hand (nothing else is inherited). */
  env: Record<string, string>;
  /** Runs `deploy-action.mjs` (the SDK block) with this Node; `env` replaces the environment. */
  sdk(env?: Record<string, string>): Promise<ProcessResult>;
  /** Runs `deploy-action.sh` (the curl block) with bash; `env` replaces the environment. */
  curl(env?: Record<string, string>): Promise<ProcessResult>;
  remove(): Promise<void>;
}

/**
 * A temporary folder set up as docs/management-api.md asks: the two blocks copied out of the page,
 * `roles-and-plan.js`, and `auth0` installed (a link to this repository's auth0@7.1.0, so the .mjs file
 * resolves it exactly as after `npm install`). The environment is the page's: TESSERA_DOMAIN and the
 * management client of the server's own `<data dir>/first-run.json`; `extra` adds what the reader's
 * machine would have (a CA bundle).
 */
export async function exampleFolder(
  server: { dataDir: string; domain: string },
  extra: Record<string, string> = {},
): Promise<Examples> {
  const page = await readFile(join(ROOT, 'docs/management-api.md'), 'utf8');
  const dir = await mkdtemp(join(tmpdir(), 'tessera-docs-examples-'));
  // The README's example action ("Your first action"), which both examples deploy.
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  await writeFile(join(dir, 'roles-and-plan.js'), codeBlockUnder(readme, 'Your first action', 'js'));
  await writeFile(join(dir, 'deploy-action.mjs'), codeBlockUnder(page, SDK.heading, 'js'));
  await writeFile(join(dir, 'deploy-action.sh'), codeBlockUnder(page, CURL.heading, 'sh'));
  await mkdir(join(dir, 'node_modules'));
  const sdk = await realpath(join(import.meta.dirname, '../../node_modules/auth0'));
  await symlink(sdk, join(dir, 'node_modules/auth0'), 'dir');
  const firstRun = JSON.parse(await readFile(join(server.dataDir, 'first-run.json'), 'utf8'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir, // no ~/.curlrc or npm configuration of whoever runs the tests
    TESSERA_DOMAIN: server.domain,
    TESSERA_CLIENT_ID: firstRun.management.client_id,
    TESSERA_CLIENT_SECRET: firstRun.management.client_secret,
    ...extra,
  };
  return {
    env,
    sdk: (runEnv = env) => runToEnd(process.execPath, ['deploy-action.mjs'], { cwd: dir, env: runEnv }),
    curl: (runEnv = env) => runToEnd('bash', ['deploy-action.sh'], { cwd: dir, env: runEnv }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * The fenced ` ```lang ` block under the heading `## <heading>` of a markdown document (the first one
 * before the next heading), exactly as a reader copies it. Throws naming what is missing, so a renamed
 * heading or a changed fence fails the test that runs the example instead of skipping it.
 */
export function codeBlockUnder(markdown: string, heading: string, lang: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) throw new Error(`no heading "## ${heading}"`);
  const block: string[] = [];
  let inBlock = false;
  for (const line of lines.slice(start + 1)) {
    if (!inBlock && /^#{1,2} /.test(line)) break;
    if (!inBlock && line === `\`\`\`${lang}`) inBlock = true;
    else if (inBlock && line === '```') return `${block.join('\n')}\n`;
    else if (inBlock) block.push(line);
  }
  throw new Error(`no complete \`\`\`${lang} block under "## ${heading}"`);
}

/** Whether an executable named `name` is on PATH (the examples need curl, jq and bash). */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs `command` to its end in `cwd` with exactly `env` (nothing inherited), keeping its output. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<ProcessResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}

/** A process's output for an assertion message: what a reader of the failure needs to see. */
export const transcript = (result: ProcessResult) =>
  `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
