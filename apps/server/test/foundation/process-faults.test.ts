import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runMain } from '../helpers.ts';

describe('the process refuses to start on bad configuration or an unreachable database', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-faults-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a port that is not a number',
      { PORT: 'eighty' },
      /^invalid configuration: PORT: must be an integer, got "eighty"$/,
    ],
    [
      'a database URL of another kind',
      { DATABASE_URL: 'mysql://db/x' },
      /^invalid configuration: DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    ],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /^invalid configuration: LOG_LEVEL: must be one of/],
    [
      'a missing config file',
      { TESSERA_CONFIG: '/nonexistent/tessera.json' },
      /^invalid configuration: TESSERA_CONFIG: cannot read/,
    ],
  ];
  for (const [name, env, message] of cases) {
    it(`exits 1 with one line for ${name}`, async () => {
      const result = await runMain({ TESSERA_DATA_DIR: dataDir, ...env });
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, message);
    });
  }

  it('retries an unreachable database with backoff, then exits 1 naming it', async () => {
    const result = await runMain({
      TESSERA_DATA_DIR: dataDir,
      DATABASE_URL: 'postgresql://postgres:hunter2@127.0.0.1:9/tessera',
      TESSERA_MASTER_KEY: 'ab'.repeat(32),
      TESSERA_DB_BOOT_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'warn',
    });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^tessera failed to start: .*127\.0\.0\.1:9.*unreachable/);
    assert.ok(!result.stderr.includes('hunter2'), 'the password is not printed');
    assert.ok(!result.stdout.includes('hunter2'), 'nor logged');
    assert.match(result.stdout, /retry|retrying/i, 'retries are logged');
  });
});
