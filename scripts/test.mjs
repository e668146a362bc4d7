// `pnpm test`: the whole suite in one node:test run, so its closing summary (ℹ pass / ℹ fail) counts
// everything. Runs against embedded PGlite + the in-process store, or against DATABASE_URL/REDIS_URL
// when they are set (tests then create their own database and key prefix and clean up).
// Arguments narrow the run: `pnpm test packages/config` runs the tests under that folder.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const folders = process.argv.slice(2);
const roots = folders.length > 0 ? folders : ['packages/*', 'apps/*'];
const patterns = roots.map((root) => `${root.replace(/\/$/, '')}/test/**/*.test.ts`);
const concurrency = process.env.TESSERA_TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));

const result = spawnSync(
  process.execPath,
  [
    '--no-node-snapshot',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=120000',
    ...patterns,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(result.status ?? 1);
