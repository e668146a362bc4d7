import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@tessera/core';

/**
 * The key that encrypts secrets at rest. TESSERA_MASTER_KEY wins; otherwise a key generated on first
 * run is kept in `<data dir>/master.key` (mode 0600). Several processes over one Postgres must share
 * the key, so a generated key next to a real Postgres is worth a warning.
 *
 * Tools that work on an existing installation (the CLI) pass `generate: false`: a key they made up
 * would seal secrets that the server cannot open, so a missing key is an error for them.
 */
export async function loadMasterKey(options: {
  configured: string | undefined;
  dataDir: string;
  sharedDatabase: boolean;
  log: Logger;
  generate?: boolean;
}): Promise<Buffer> {
  if (options.configured) return decodeKey(options.configured);
  const path = join(options.dataDir, 'master.key');
  try {
    return decodeKey((await readFile(path, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (options.generate === false)
    throw new Error(`no master key: TESSERA_MASTER_KEY is not set and ${path} does not exist`);
  const key = randomBytes(32);
  // `wx`: if another process created it in the meantime, fail and read theirs instead of overwriting.
  await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  if (options.sharedDatabase) {
    options.log.warn(
      { path },
      'TESSERA_MASTER_KEY is not set: generated one; every process sharing this database needs the same key',
    );
  }
  return decodeKey((await readFile(path, 'utf8')).trim());
}

function decodeKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('the master key must decode to 32 bytes');
  return key;
}
