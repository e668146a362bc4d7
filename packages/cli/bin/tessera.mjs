#!/usr/bin/env node
// `tessera …` outside the repo's `pnpm tessera`: same entry point, run by the Node that runs this file.
import { spawnSync } from 'node:child_process';

const main = new URL('../src/main.ts', import.meta.url);
const result = spawnSync(process.execPath, ['--no-node-snapshot', main.pathname, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
