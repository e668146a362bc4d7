// `pnpm test`: the whole suite in one node:test run, so its closing summary (ℹ pass / ℹ fail) counts
// everything. Runs against embedded PGlite + the in-process store, or against DATABASE_URL/REDIS_URL
// when they are set (tests then create their own database and key prefix and clean up).
// Arguments narrow the run: `pnpm test packages/config` runs the tests under that folder.
// TESSERA_TEST_RECORD_DURATIONS=1 writes how long each file took into durations.json (see below).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, globSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
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

const files = globSync(patterns).sort();
if (files.length === 0) {
  console.error(`test: no test files under ${roots.join(', ')}`);
  process.exit(1);
}

// The longest files start first, so the run does not end with one of them alone on a core while the
// others idle: durations.json holds each file's measured seconds per backend (TESSERA_TEST_RECORD_DURATIONS=1
// measures them again, in the run itself). A file it does not know yet starts before all of them: if it
// is long, that is where it belongs, and if it is short, it costs the order nothing.
const DURATIONS = join(HERE, 'durations.json');
const backend = process.env.DATABASE_URL ? 'postgres' : 'embedded';
const recorded = JSON.parse(readFileSync(DURATIONS, 'utf8'));
const seconds = recorded[backend] ?? {};
const unknown = files.filter((file) => seconds[file] === undefined);
const ordered = [
  ...unknown,
  ...files.filter((file) => seconds[file] !== undefined).sort((a, b) => seconds[b] - seconds[a]),
];
if (unknown.length > 0 && unknown.length < files.length) {
  console.error(
    `test: ${unknown.length} file(s) without a recorded duration start first (TESSERA_TEST_RECORD_DURATIONS=1 records them): ${unknown.join(', ')}`,
  );
}

const record = process.env.TESSERA_TEST_RECORD_DURATIONS === '1';
const workDir = await mkdtemp(join(tmpdir(), 'tessera-run-'));
const timings = join(workDir, 'durations.jsonl');
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  ...(record
    ? [`--test-reporter=${join(HERE, 'durations-reporter.mjs')}`, `--test-reporter-destination=${timings}`]
    : []),
];

// On Postgres, a migrated template for the tests' databases and the dropping of the ones they are done
// with (packages/testing/src/suite-postgres.ts).
let postgres;
if (process.env.DATABASE_URL) {
  try {
    const { startPostgresSuite } = await import('../src/suite-postgres.ts');
    postgres = await startPostgresSuite(process.env.DATABASE_URL);
  } catch (error) {
    console.error(`test: cannot prepare the run on the Postgres in DATABASE_URL: ${error.message}`);
    await rm(workDir, { recursive: true, force: true });
    process.exit(1);
  }
}

const child = spawn(
  process.execPath,
  [
    '--no-node-snapshot',
    '--test',
    ...reporters,
    `--test-concurrency=${concurrency}`,
    '--test-timeout=120000',
    ...ordered,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...postgres?.env,
      NODE_NO_WARNINGS: '1',
      // Every test file is a process of its own (and many start servers and workers): V8's compile
      // cache on disk halves what each spends compiling the same modules (checked against the source).
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'tessera-node-compile-cache'),
    },
  },
);
// Ctrl-C reaches the test processes too; this one waits for them, then cleans up.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
const [code, signal] = await once(child, 'exit');

let status = code ?? 1;
if (postgres) {
  try {
    await postgres.finish();
  } catch (error) {
    console.error(`test: dropping the test databases failed: ${error.message}`);
    status = status || 1;
  }
}
if (record && existsSync(timings)) {
  for (const line of readFileSync(timings, 'utf8').split('\n').filter(Boolean)) {
    const { file, ms } = JSON.parse(line);
    seconds[relative(process.cwd(), resolve(file))] = Math.round(ms / 100) / 10;
  }
  const kept = Object.fromEntries(
    Object.entries(seconds)
      .filter(([file]) => existsSync(file))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(DURATIONS, `${JSON.stringify({ ...recorded, [backend]: kept }, null, 2)}\n`);
  console.error(`test: recorded the ${backend} durations in ${relative(process.cwd(), DURATIONS)}`);
}
await rm(workDir, { recursive: true, force: true });
// Repeated after the run: the first banner has scrolled far away by now.
if (browserMissing) console.error(browserBanner);
process.exit(signal ? 1 : status);
