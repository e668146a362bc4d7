import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { openDatabase } from '../src/database.ts';

describe('the embedded database folder is used by one process at a time', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-lock-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));
  const options = () => ({ dataDir, bootRetryMs: 0, poolSize: 1, log: silentLogger });

  it('refuses a second process while the first holds the folder, and frees it on close', async () => {
    const script = `import { openDatabase } from ${JSON.stringify(new URL('../src/database.ts', import.meta.url).href)};
      const db = await openDatabase({ dataDir: ${JSON.stringify(dataDir)}, bootRetryMs: 0, poolSize: 1,
        log: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } });
      process.stdout.write('open\\n');
      process.stdin.on('end', async () => { await db.close(); process.exit(0); }).resume();`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const [opened] = await once(holder.stdout, 'data');
    assert.equal(String(opened).trim(), 'open');
    await assert.rejects(
      openDatabase(options()),
      new RegExp(`in use by process ${holder.pid}; stop it or use another TESSERA_DATA_DIR`),
    );
    holder.stdin.end();
    await once(holder, 'exit');
    await assert.rejects(readFile(join(dataDir, 'pglite', 'tessera.pid')), { code: 'ENOENT' });
    const db = await openDatabase(options());
    await db.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    await writeFile(join(dataDir, 'pglite', 'tessera.pid'), `${dead}\n`);
    const db = await openDatabase(options());
    assert.equal(
      (await readFile(join(dataDir, 'pglite', 'tessera.pid'), 'utf8')).trim(),
      String(process.pid),
    );
    await db.close();
  });
});
