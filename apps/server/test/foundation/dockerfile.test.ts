import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort, listening, type MainProcess, stopProcess } from '../helpers.ts';
import {
  command,
  copy,
  dockerignore,
  expand,
  healthcheck,
  parseCopy,
  parseDockerfile,
  parseEnv,
  type Stage,
} from './dockerfile-replay.ts';

/**
 * The production image, proven without a container engine: the Dockerfile is replayed into an empty
 * folder, one sub-folder per stage standing for its file system (`/app` of stage build is
 * `<tmp>/build/app`; what the runtime stage copies from it is hard-linked, see dockerfile-replay.ts).
 *
 * Replayed literally: every COPY (from the repository with .dockerignore's rules, or from a finished
 * stage), every `pnpm` RUN step (install with its `prisma generate`, the prune of dev dependencies)
 * with the stage's ENV, then the runtime stage's CMD with its ENV, the Dockerfile's HEALTHCHECK
 * command and docker-compose.yml's one against it.
 * Replaced, on the host: the base image's environment by PATH and HOME; PNPM_HOME, PORT, HOST and
 * TESSERA_DATA_DIR by a folder, a free port, 127.0.0.1 and a temp folder; pnpm's store by the host's
 * (offline first: CI installed the same lockfile); the USER by this process's user.
 * Checked instead of run (they need root): `npm install -g pnpm@<v>` (<v> must be package.json's
 * packageManager, and the host's pnpm, which runs the install, that same version) and the creation of
 * the unprivileged user and its data folder (the user must be the stage's USER, the folder its
 * VOLUME and TESSERA_DATA_DIR). Any other RUN step fails the test until the replay learns it.
 */

const root = join(import.meta.dirname, '../../../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const context = { dir: root, label: 'the build context', ignored: dockerignore(read('.dockerignore')) };
const hostEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

const CREATES_USER =
  /^groupadd --system (\w+) && useradd --system --gid \1 --home-dir (\S+) (\w+) && mkdir -p \2 && chown \3:\1 \2$/;
const INSTALLS_PNPM = /^npm install -g pnpm@(\S+)$/;
const RUNS_PNPM = /^pnpm (?:install|prune)\b/;

/** A replayed stage: its folder and what its instructions declared. */
interface Built {
  root: string;
  /** The environment its RUN steps and commands get (the host's replacements applied). */
  env: Record<string, string>;
  /** ARG and ENV values as the Dockerfile sets them. */
  declared: Record<string, string>;
  workdir: string;
  user?: string;
  createdUser?: { name: string; home: string };
  volumes: string[];
  expose: string[];
  cmd?: string[];
  healthcheck?: string[];
  /** How long each replayed RUN step took (reported, never asserted). */
  timings: [string, string][];
}

describe('Dockerfile, read without Docker', () => {
  it('copies only files that exist in the build context and that .dockerignore lets in', () => {
    const steps = parseDockerfile(read('Dockerfile')).flatMap((stage) => stage.instructions);
    for (const step of steps.filter(({ keyword }) => keyword === 'COPY').map(({ args }) => parseCopy(args))) {
      for (const source of step.from ? [] : step.sources) {
        assert.equal(context.ignored(source), undefined, `COPY ${source}: excluded by .dockerignore`);
        assert.ok(existsSync(join(root, source)), `COPY source "${source}" does not exist in the repository`);
      }
    }
  });
});

describe('Dockerfile replay helpers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-replay-helpers-'));
    for (const file of ['a.json', 'pkg/src/x.ts', 'pkg/node_modules/y/z.js', 'pkg/data/master.key']) {
      await mkdir(dirname(join(dir, 'context', file)), { recursive: true });
      await writeFile(join(dir, 'context', file), file);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const from = () => ({
    dir: join(dir, 'context'),
    label: 'the build context',
    ignored: dockerignore('# comment\n**/node_modules\n**/data\n'),
  });

  it('fails a COPY whose source does not exist, naming it', async () => {
    await assert.rejects(
      copy(parseCopy('a.json tsconfig.base.json ./'), from(), join(dir, 'stage'), '/app'),
      { message: 'COPY source "tsconfig.base.json" does not exist in the build context' },
    );
  });

  it('fails a COPY whose source .dockerignore excludes, naming the pattern', async () => {
    await assert.rejects(copy(parseCopy('pkg/data/master.key /app/'), from(), join(dir, 'stage'), '/'), {
      message:
        'COPY source "pkg/data/master.key" is excluded from the build context by .dockerignore "**/data"',
    });
  });

  it("copies a folder's contents without what .dockerignore excludes, files into a folder by name", async () => {
    await copy(parseCopy('pkg ./pkg'), from(), join(dir, 'stage'), '/app');
    await copy(parseCopy('a.json sub/'), from(), join(dir, 'stage'), '/app');
    assert.equal(readFileSync(join(dir, 'stage/app/pkg/src/x.ts'), 'utf8'), 'pkg/src/x.ts');
    assert.equal(readFileSync(join(dir, 'stage/app/sub/a.json'), 'utf8'), 'a.json');
    await assert.rejects(stat(join(dir, 'stage/app/pkg/node_modules')), { code: 'ENOENT' });
    await assert.rejects(stat(join(dir, 'stage/app/pkg/data')), { code: 'ENOENT' });
  });

  it('reads .dockerignore as Docker does: root-only names, ** at any depth, the last match deciding', () => {
    const ignored = dockerignore('data\n**/*.log\napps/*/test\n!apps/keep/test\n');
    assert.equal(ignored('data/master.key'), 'data');
    assert.equal(ignored('apps/server/data'), undefined);
    assert.equal(ignored('a/b/c.log'), '**/*.log');
    assert.equal(ignored('c.log'), '**/*.log');
    assert.equal(ignored('apps/server/test/x.test.ts'), 'apps/*/test');
    assert.equal(ignored('apps/keep/test/x.test.ts'), undefined);
  });

  it('refuses what it cannot replay, saying what', () => {
    assert.throws(
      () => parseDockerfile('ADD x /x'),
      /line 1: the replay does not know the instruction "ADD"/,
    );
    assert.throws(() => parseDockerfile('FROM node:24-slim AS a\nADD x /x'), /line 2: .*"ADD"/);
    assert.throws(() => parseDockerfile('FROM node:24-slim'), /line 1: FROM needs "<image> AS <name>"/);
    assert.throws(() => parseDockerfile('RUN true'), /line 1: RUN before the first FROM/);
    assert.throws(() => parseEnv('NODE_ENV production', {}), /ENV NODE_ENV production: .*NAME=value/);
    assert.throws(() => parseCopy('--chown=1:1 a b'), /does not know --chown=1:1/);
    assert.throws(() => parseCopy('packages/*/package.json ./'), /does not expand wildcards/);
    assert.throws(() => parseCopy('onlyone'), /needs at least one source and a destination/);
    assert.throws(() => healthcheck('NONE'), /expected \[--option=value...\] CMD <command>/);
    assert.throws(() => command('[]'), /non-empty JSON array of strings/);
  });

  it('reads continuation lines, ENV pairs with $VAR expansion, both command forms', () => {
    const [stage] = parseDockerfile(
      '# syntax=x\nFROM node:24-slim AS b\nENV A=1 \\\n    B="two words" C=$PATH:x\n',
    );
    assert.deepEqual(stage!.instructions, [
      { keyword: 'ENV', args: 'A=1     B="two words" C=$PATH:x', line: 3 },
    ]);
    assert.deepEqual(parseEnv(stage!.instructions[0]!.args, { PATH: '/bin' }), [
      ['A', '1'],
      ['B', 'two words'],
      ['C', '/bin:x'],
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile's ${NAME}, not a template
    assert.equal(expand('${A}-$B-$UNSET', { A: 'a', B: 'b' }), 'a-b-');
    assert.deepEqual(healthcheck('--interval=1s CMD ["node", "-v"]'), ['node', '-v']);
    assert.deepEqual(healthcheck('CMD curl -f http://x'), ['/bin/sh', '-c', 'curl -f http://x']);
  });
});

const skip = process.env.DATABASE_URL
  ? 'the image replay does not depend on the storage backend: it runs on the embedded pass of the suite'
  : false;

describe('Dockerfile, replayed without Docker', { skip }, () => {
  let tmp: string;
  let server: MainProcess | undefined;
  const stages = new Map<string, Built>();
  const dockerfile = () => parseDockerfile(read('Dockerfile'));
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tessera-image-'));
  });
  after(async () => {
    if (server) await stopProcess(server);
    await rm(tmp, { recursive: true, force: true });
  });

  it('builds: every COPY source exists, pnpm installs, generates the Prisma client and prunes', async (t) => {
    const started = performance.now();
    for (const stage of dockerfile().filter(({ name }) => name !== 'runtime')) {
      const store = execFileSync('pnpm', ['store', 'path'], { cwd: root, encoding: 'utf8' }).trim();
      const built = await replayStage(stage, {
        PNPM_HOME: join(tmp, stage.name, 'pnpm'),
        pnpm_config_store_dir: dirname(store),
        pnpm_config_prefer_offline: 'true',
      });
      stages.set(stage.name, built);
    }
    const app = join(tmp, 'build/app');
    await stat(join(app, 'packages/storage/src/generated/prisma/client.ts'));
    const virtualStore = await readdir(join(app, 'node_modules/.pnpm'));
    for (const devOnly of ['@biomejs+biome@', 'turbo@']) {
      assert.ok(!virtualStore.some((name) => name.startsWith(devOnly)), `the prune removed ${devOnly}`);
    }
    for (const [step, time] of stages.get('build')!.timings) t.diagnostic(`${time}: ${step}`);
    t.diagnostic(`build stage replayed in ${seconds(started)}`);
  });

  it("runs: the runtime stage's CMD serves, the Dockerfile's and compose's health checks pass", async (t) => {
    const started = performance.now();
    const [stage] = dockerfile().filter(({ name }) => name === 'runtime');
    const dataDir = join(tmp, 'data');
    const port = String(await freePort());
    const runtime = await replayStage(stage!, { TESSERA_DATA_DIR: dataDir, PORT: port, HOST: '127.0.0.1' });
    assert.ok(runtime.cmd && runtime.healthcheck, 'the runtime stage has a CMD and a HEALTHCHECK');
    assert.deepEqual(runtime.expose, [runtime.declared.PORT], 'EXPOSE is the port the stage listens on');
    assert.deepEqual(runtime.volumes, [runtime.declared.TESSERA_DATA_DIR], 'the data folder is the volume');
    assert.deepEqual(runtime.createdUser, { name: runtime.user, home: runtime.declared.TESSERA_DATA_DIR });
    await mkdir(dataDir, { recursive: true });
    t.diagnostic(`runtime stage replayed in ${seconds(started)}`);

    const booting = performance.now();
    server = start(runtime.cmd, runtime);
    await listening(server);
    const credentials = await stat(join(dataDir, 'first-run.json'));
    assert.equal(credentials.mode & 0o777, 0o600, 'first-run.json is in the volume, for its owner only');
    t.diagnostic(`its CMD listened in ${seconds(booting)}`);

    const composeCheck = composeHealthcheck();
    assert.equal(await exitCode(runtime.healthcheck, runtime), 0, 'the HEALTHCHECK passes');
    assert.equal(await exitCode(composeCheck, runtime), 0, "docker-compose.yml's health check passes");
    await stopProcess(server);
    assert.equal(
      await exitCode(runtime.healthcheck, runtime),
      1,
      'the HEALTHCHECK fails with the server gone',
    );
    assert.equal(
      await exitCode(composeCheck, runtime),
      1,
      "compose's health check fails with the server gone",
    );
  });

  /** One stage's instructions in order; `overrides` stand for what the host cannot be (see the top). */
  async function replayStage(stage: Stage, overrides: Record<string, string>): Promise<Built> {
    const built: Built = {
      root: join(tmp, stage.name),
      env: { ...hostEnv, ...overrides },
      declared: {},
      workdir: '/',
      volumes: [],
      expose: [],
      timings: [],
    };
    await mkdir(built.root, { recursive: true });
    for (const { keyword, args, line } of stage.instructions) {
      const at = `Dockerfile line ${line} (${keyword} ${args.slice(0, 60)})`;
      if (keyword === 'ARG' || keyword === 'ENV') {
        const pairs = keyword === 'ENV' ? parseEnv(args, built.env) : [args.split('=') as [string, string]];
        for (const [name, value = ''] of pairs) {
          built.declared[name] = value;
          if (!(name in overrides)) built.env[name] = value;
        }
      } else if (keyword === 'WORKDIR') {
        built.workdir = posix.resolve(built.workdir, expand(args, built.env));
        await mkdir(join(built.root, built.workdir), { recursive: true });
      } else if (keyword === 'COPY') {
        const step = parseCopy(args);
        const stage = step.from === undefined ? undefined : stages.get(step.from);
        if (step.from !== undefined && !stage) throw new Error(`${at}: no finished stage "${step.from}"`);
        await copy(
          step,
          stage ? { dir: stage.root, label: `stage ${step.from}`, link: true } : context,
          built.root,
          built.workdir,
        );
      } else if (keyword === 'RUN') await run(args, built, at);
      else if (keyword === 'USER') built.user = args;
      else if (keyword === 'VOLUME')
        built.volumes.push(...(args.startsWith('[') ? command(args) : args.split(/\s+/)));
      else if (keyword === 'EXPOSE') built.expose.push(...args.split(/\s+/));
      else if (keyword === 'CMD') built.cmd = command(args);
      else if (keyword === 'HEALTHCHECK') built.healthcheck = healthcheck(args);
    }
    return built;
  }

  async function run(instruction: string, built: Built, at: string): Promise<void> {
    const started = performance.now();
    const script = instruction.replace(/\s+/g, ' ');
    const pnpm = script.match(INSTALLS_PNPM);
    const user = script.match(CREATES_USER);
    if (pnpm) {
      const pinned = JSON.parse(read('package.json')).packageManager;
      assert.equal(`pnpm@${pnpm[1]}`, pinned, `${at}: the image's pnpm is package.json's packageManager`);
      const host = execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim();
      assert.equal(
        host,
        pnpm[1],
        `${at}: the replay installs with the host's pnpm, which must be ${pnpm[1]}`,
      );
    } else if (user) {
      built.createdUser = { name: user[3]!, home: user[2]! };
    } else if (RUNS_PNPM.test(script)) {
      const child = spawn('/bin/sh', ['-c', script], {
        cwd: join(built.root, built.workdir),
        env: built.env,
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, `${at} failed:\n${output.slice(-4000)}`);
      built.timings.push([script, seconds(started)]);
    } else {
      throw new Error(`${at}: the replay does not know this step; run it or check it in dockerfile.test.ts`);
    }
  }
});

function start(argv: string[], built: Built): MainProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: join(built.root, built.workdir), env: built.env });
  const proc: MainProcess = { child, stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => (proc.stdout += chunk));
  child.stderr!.on('data', (chunk) => (proc.stderr += chunk));
  return proc;
}

/** Runs a health check command as Docker would in the container, and returns its exit code. */
async function exitCode(argv: string[], built: Built): Promise<number | null> {
  const check = start(argv, built);
  const [code] = await once(check.child, 'exit');
  return code as number | null;
}

/** docker-compose.yml's health check of the tessera service, as the command Docker runs. */
function composeHealthcheck(): string[] {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { healthcheck?: { test?: unknown } }>;
  };
  const test = compose.services.tessera?.healthcheck?.test;
  if (typeof test === 'string') return ['/bin/sh', '-c', test];
  assert.ok(
    Array.isArray(test) && test.every((arg) => typeof arg === 'string'),
    'tessera has a health check',
  );
  const [form, ...rest] = test as string[];
  if (form === 'CMD') return rest;
  if (form === 'CMD-SHELL' && rest.length === 1) return ['/bin/sh', '-c', rest[0]!];
  throw new Error(
    `docker-compose.yml: tessera's healthcheck.test must start with CMD or CMD-SHELL, not ${form}`,
  );
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
