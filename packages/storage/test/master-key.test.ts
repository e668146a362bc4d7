import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, silentLogger } from '@tessera/core';
import { loadMasterKey } from '../src/master-key.ts';

describe('loadMasterKey', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-key-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const load = (options: { configured?: string; sharedDatabase: boolean }) =>
    loadMasterKey({
      configured: options.configured,
      sharedDatabase: options.sharedDatabase,
      dataDir,
      log: silentLogger,
    });

  it('takes TESSERA_MASTER_KEY, hex or base64, on either database', async () => {
    const key = Buffer.alloc(32, 7);
    assert.deepEqual(await load({ configured: key.toString('hex'), sharedDatabase: true }), key);
    assert.deepEqual(await load({ configured: key.toString('base64'), sharedDatabase: false }), key);
  });

  it('refuses a shared database without one, naming the variable, and writes nothing', async () => {
    await assert.rejects(load({ sharedDatabase: true }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, 'TESSERA_MASTER_KEY');
      assert.match(error.message, /must be set when DATABASE_URL is set/);
      return true;
    });
    await assert.rejects(stat(join(dataDir, 'master.key')), { code: 'ENOENT' });
  });

  it('on the embedded database, generates one into the data folder (0600) and reads it back after', async () => {
    const generated = await load({ sharedDatabase: false });
    const path = join(dataDir, 'master.key');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await readFile(path, 'utf8')).trim(), generated.toString('hex'));
    assert.deepEqual(await load({ sharedDatabase: false }), generated);
  });

  it('does not fall back to that file on a shared database, but says where it is', async () => {
    await writeFile(join(dataDir, 'master.key'), `${'ef'.repeat(32)}\n`);
    await assert.rejects(load({ sharedDatabase: true }), {
      message: new RegExp(`the key this host generated before is in ${join(dataDir, 'master.key')}`),
    });
  });
});
