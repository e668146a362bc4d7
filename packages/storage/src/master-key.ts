import { randomBytes } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Logger } from '@tessera/core';

/**
 * The key that encrypts secrets at rest. TESSERA_MASTER_KEY wins; otherwise, on the embedded database,
 * a key generated on first run is kept in `<data dir>/master.key` (mode 0600). On a shared database
 * (DATABASE_URL) the key is required: every process there must open what the others sealed, and a
 * key generated per process (or per host's data folder) would leave replicas unable to read each
 * other's secrets, so the process refuses to start rather than warn.
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
  if (options.sharedDatabase) throw await sharedKeyMissing(path);
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
  return decodeKey((await readFile(path, 'utf8')).trim());
}

async function sharedKeyMissing(path: string): Promise<ConfigError> {
  const earlier = await access(path).then(
    () => `; the key this host generated before is in ${path}: set TESSERA_MASTER_KEY to its content`,
    () => ': generate one with `openssl rand -hex 32` and give every process the same',
  );
  return new ConfigError(
    'TESSERA_MASTER_KEY',
    `must be set when DATABASE_URL is set (a key generated per process would leave replicas unable to read each other's secrets)${earlier}`,
  );
}

function decodeKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('the master key must decode to 32 bytes');
  return key;
}
