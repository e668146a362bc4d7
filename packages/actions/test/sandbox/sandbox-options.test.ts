import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { handler, useRuntime } from '../runtime/helpers.ts';
import { assertFailed, HOSTILE_BUDGETS, lastJson } from './helpers.ts';

// docs/security.md#12: the workers' flags and environment are the runtime's alone. Server secrets in
// this (server) process's environment are not inherited, and nothing in tenant code (comments, option
// names, V8 syntax) changes how its script is compiled or what the worker process is.
const SERVER_SECRETS = {
  TESSERA_MASTER_KEY: 'master-key-that-must-stay-in-the-server',
  DATABASE_URL: 'postgres://tessera:db-password@db.internal/tessera',
  TESSERA_SESSION_SECRET: 'session-secret-that-must-stay-in-the-server',
};
const saved = Object.fromEntries(Object.keys(SERVER_SECRETS).map((name) => [name, process.env[name]]));
// Set before the runtime (and so its workers) is created by the fixture's `before`.
Object.assign(process.env, SERVER_SECRETS);
after(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
const fixture = useRuntime(HOSTILE_BUDGETS);

const WORKER_MAIN = fileURLToPath(new URL('../../src/worker/main.ts', import.meta.url));
const EXPECTED_ARGV = [
  process.execPath,
  '--no-node-snapshot',
  '--disable-warning=ExperimentalWarning',
  WORKER_MAIN,
];
/** What a worker's environment may hold: its settings, and what Node's fork adds for the IPC channel. */
const WORKER_ENV = [
  'NODE_CHANNEL_FD',
  'NODE_CHANNEL_SERIALIZATION_MODE',
  'NODE_NO_WARNINGS',
  'TESSERA_SANDBOX_WORKER',
];

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
function environ(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(
    entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** Tenant code that mentions flags, code-cache options and source maps, and tries to read the process. */
const SUGGESTIVE = [
  '// --allow-natives-syntax --expose-gc --inspect=0.0.0.0:9229 --max-old-space-size=8192',
  '//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==',
  'const compileOptions = { cachedData: new Uint8Array(64), produceCachedData: true, memoryLimit: 4096 };',
  'module.exports.cachedData = compileOptions.cachedData;',
  'exports.onExecutePostLogin = async (event, api) => {',
  '  globalThis.NODE_OPTIONS = "--inspect"; globalThis.execArgv = ["--inspect"];',
  '  console.log(JSON.stringify({ process: typeof process, gc: typeof gc, cachedData: typeof cachedData, produce: typeof produceCachedData }));',
  "  api.idToken.setCustomClaim('https://t.example/plain', true);",
  '};',
].join('\n');

describe('sandbox worker processes', () => {
  test('run exactly `node --no-node-snapshot --disable-warning=ExperimentalWarning <worker main>`', () => {
    const pids = fixture.runtime.workerPids();
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.deepEqual(cmdline(pid), EXPECTED_ARGV);
  });

  test('inherit no server secret: only their settings and the IPC channel are in the environment', () => {
    for (const pid of fixture.runtime.workerPids()) {
      const env = environ(pid);
      assert.deepEqual(Object.keys(env).sort(), WORKER_ENV);
      for (const secret of Object.values(SERVER_SECRETS)) assert.ok(!JSON.stringify(env).includes(secret));
      assert.deepEqual(Object.keys(JSON.parse(env.TESSERA_SANDBOX_WORKER!)).sort(), [
        'cpuMs',
        'egress',
        'memoryMb',
        'operatorAllowHosts',
      ]);
    }
  });

  test('code that mentions flags, cachedData/produceCachedData and source maps runs as plain code', async () => {
    const pids = fixture.runtime.workerPids();
    const result = await fixture.run(SUGGESTIVE);
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.deepEqual(lastJson(result), {
      process: 'undefined',
      gc: 'undefined',
      cachedData: 'undefined',
      produce: 'undefined',
    });
    assert.deepEqual(result.commands.length, 1);
    // A source map comment does not move error positions: they stay the tenant's own lines in action.js.
    const thrown = await fixture.run(
      'exports.onExecutePostLogin = async () => {\n  throw new Error("where");\n};\n//# sourceMappingURL=http://127.0.0.1:1/map.json',
    );
    assertFailed(thrown, 'runtime', /^where \(action\.js:2:\d+\)$/);
    // V8 intrinsics stay a syntax error (no --allow-natives-syntax), whatever the code's comments say.
    assertFailed(
      await fixture.run('// --allow-natives-syntax\n%DebugPrint(globalThis);'),
      'syntax',
      "SyntaxError: Unexpected token '%' (action.js:2:1)",
    );
    assert.deepEqual(fixture.runtime.workerPids(), pids);
    for (const pid of pids) assert.deepEqual(cmdline(pid), EXPECTED_ARGV);
  });

  test('the memory limit stays the runtime’s, whatever the code asks for', async () => {
    const result = await fixture.run(
      handler(`
        const options = { memoryLimit: 4096, resourceLimits: { maxOldGenerationSizeMb: 4096 } };
        const keep = [];
        for (let i = 0; ; i++) keep.push(new Array(10000).fill(i));`),
    );
    assertFailed(result, 'memory', 'the action exceeded its memory limit and was stopped');
  });

  test('a replacement worker is started the same way', async () => {
    const [first] = fixture.runtime.workerPids();
    process.kill(first!, 'SIGKILL');
    const deadline = Date.now() + 3000;
    while (fixture.runtime.workerPids().includes(first!) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await fixture.runtime.ready();
    for (const pid of fixture.runtime.workerPids()) {
      assert.deepEqual(cmdline(pid), EXPECTED_ARGV);
      assert.deepEqual(Object.keys(environ(pid)).sort(), WORKER_ENV);
    }
  });
});
