#!/usr/bin/env node
// `tessera …` outside the repo's `pnpm tessera`: same entry point, run by the Node that runs this file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = new URL('../src/main.ts', import.meta.url);
// Through launch.mjs, which tells an older Node's user which version to install.
const launch = new URL('./launch.mjs', import.meta.url);
// main.ts reads relative paths from INIT_CWD, which only the repo's `pnpm tessera` script means. Run
// from a tenant's own npm/pnpm script, INIT_CWD is where that script was started, while the paths
// written in it are relative to the package: the working directory is the one to use here.
const { INIT_CWD: _initCwd, ...env } = process.env;
const result = spawnSync(
  process.execPath,
  ['--no-node-snapshot', fileURLToPath(launch), fileURLToPath(main), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
  },
);
process.exit(result.status ?? 1);
