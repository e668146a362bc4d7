import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { logLines, runMain } from '../helpers.ts';

/**
 * On a shared database every process must open the secrets the others sealed, so the master key is
 * given, never generated: a key made up per process (or per host's data folder) would leave replicas
 * unable to read each other's secrets. The embedded database keeps generating its key on first run.
 */

// Nothing listens on port 9: the refusal must come before any connection attempt (no retry, no wait).
const UNREACHABLE = 'postgresql://postgres@127.0.0.1:9/tessera';
const REFUSAL =
  /^invalid configuration: TESSERA_MASTER_KEY: must be set when DATABASE_URL is set \(a key generated per process would leave replicas unable to read each other's secrets\)/;

describe('the master key on a shared database', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-master-key-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const refuses = async (env: Record<string, string>) => {
    const result = await runMain({ TESSERA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, REFUSAL);
    assert.doesNotMatch(result.stdout, /retry/i, 'no connection was attempted');
    return lines[0]!;
  };

  it('refuses to start with DATABASE_URL and no TESSERA_MASTER_KEY, in one line, writing no key', async () => {
    const line = await refuses({ DATABASE_URL: UNREACHABLE });
    assert.match(line, /generate one with `openssl rand -hex 32` and give every process the same$/);
    await assert.rejects(stat(join(dataDir, 'master.key')), { code: 'ENOENT' });
  });

  it('treats an empty TESSERA_MASTER_KEY as unset', async () => {
    await refuses({ DATABASE_URL: UNREACHABLE, TESSERA_MASTER_KEY: '' });
    await refuses({ DATABASE_URL: UNREACHABLE, TESSERA_MASTER_KEY: '   ' });
  });

  it('points at the key an earlier release generated into the data folder, without using it', async () => {
    const path = join(dataDir, 'master.key');
    await writeFile(path, `${'cd'.repeat(32)}\n`, { mode: 0o600 });
    try {
      const line = await refuses({ DATABASE_URL: UNREACHABLE });
      assert.ok(
        line.endsWith(
          `; the key this host generated before is in ${path}: set TESSERA_MASTER_KEY to its content`,
        ),
        line,
      );
    } finally {
      await rm(path);
    }
  });

  it('still refuses a master key of the wrong form, naming the variable', async () => {
    const result = await runMain({
      TESSERA_DATA_DIR: dataDir,
      DATABASE_URL: UNREACHABLE,
      TESSERA_MASTER_KEY: 'short',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^invalid configuration: TESSERA_MASTER_KEY: must be 32 bytes/);
  });
});

describe('the master key on the embedded database', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-master-key-embedded-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('is generated into the data folder (0600) when unset, and kept across restarts', async () => {
    const env = { TESSERA_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
    const until = (stdout: string) => logLines(stdout).some((line) => line.msg === 'tessera is listening');
    const first = await runMain(env, { until });
    assert.equal(first.code, 0, first.stderr);
    const path = join(dataDir, 'master.key');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const key = await readFile(path, 'utf8');
    assert.match(key, /^[0-9a-f]{64}\n$/);
    // The restart opens the secrets the first boot sealed (its signing key) with the kept key.
    const second = await runMain(env, { until });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await readFile(path, 'utf8'), key);
  });
});
