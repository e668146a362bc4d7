// `pnpm test`: the whole suite in one node:test run, so its closing summary (ℹ pass / ℹ fail) counts
// everything. Runs against embedded PGlite + the in-process store, or against DATABASE_URL/REDIS_URL
// when they are set (tests then create their own database and key prefix and clean up).
// Arguments narrow the run: `pnpm test packages/config` runs the tests under that folder.
import { spawnSync } from 'node:child_process';
import { existsSync, globSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const folders = process.argv.slice(2);
const roots = folders.length > 0 ? folders : ['packages/*', 'apps/*'];
const patterns = roots.map((root) => `${root.replace(/\/$/, '')}/test/**/*.test.ts`);
// One test file per core: a third file on two cores was tried and starved the fault suite's
// password logins (argon2) past its 10 s client timeout.
const concurrency = process.env.TESSERA_TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));

// Browser tests (test/browser/) drive Debian's Chromium. Without it they skip, which must not pass for
// a tested run unnoticed: say so loudly, and refuse outright where the browser is required (CI).
const CHROMIUM = '/usr/bin/chromium';
const browserTestsSelected = globSync(patterns).some((file) => /(^|\/)test\/browser\//.test(file));
const browserBanner = `*** BROWSER TESTS WILL BE SKIPPED: ${CHROMIUM} not found (apt-get install chromium) ***`;
const browserMissing = browserTestsSelected && !existsSync(CHROMIUM);
if (browserMissing) {
  if (process.env.TESSERA_REQUIRE_BROWSER === '1') {
    console.error(
      `test: TESSERA_REQUIRE_BROWSER=1 but ${CHROMIUM} is not installed, so the browser tests cannot run (apt-get install chromium).`,
    );
    process.exit(1);
  }
  console.error(browserBanner);
}

// The files that take longest start first, so the run does not end with one of them alone on a core
// while the others idle (a hint, not a list to keep complete: every other file follows in name order).
const LONGEST_FIRST = [
  'apps/server/test/management/deploy-cli.test.ts',
  'apps/server/test/faults/fault-suite.test.ts',
  'packages/cli/test/deploy.test.ts',
  'apps/server/test/oidc/brute-force.test.ts',
  'apps/server/test/foundation/domain-change.test.ts',
  'apps/server/test/management/user-blocks.test.ts',
  'apps/server/test/foundation/first-run.test.ts',
];
const files = globSync(patterns).sort();
if (files.length === 0) {
  console.error(`test: no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const ordered = [
  ...LONGEST_FIRST.filter((file) => files.includes(file)),
  ...files.filter((file) => !LONGEST_FIRST.includes(file)),
];

const result = spawnSync(
  process.execPath,
  [
    '--no-node-snapshot',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=120000',
    ...ordered,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      // Every test file is a process of its own (and many start servers and workers): V8's compile
      // cache on disk halves what each spends compiling the same modules (checked against the source).
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'tessera-node-compile-cache'),
    },
  },
);
// Repeated after the run: the first banner has scrolled far away by now.
if (browserMissing) console.error(browserBanner);
process.exit(result.status ?? 1);
