// Runs `prisma generate` offline as part of `pnpm install`.
// The Prisma CLI tries to download a schema engine unless PRISMA_SCHEMA_ENGINE_BINARY names an existing
// executable; `generate` never uses that engine, so any absolute path to an executable will do.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  let engine = '/usr/bin/true';
  try {
    accessSync(engine, constants.X_OK);
  } catch {
    engine = process.execPath;
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = engine;
}
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/prisma/build/index.js'),
    'generate',
    '--schema',
    join(root, 'prisma/schema.prisma'),
  ],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
