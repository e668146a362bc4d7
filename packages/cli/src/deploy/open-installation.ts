import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@tessera/config';
import { type Logger, ServiceUnavailableError } from '@tessera/core';
import { loadMasterKey, openStorage, type Storage, type Tenant } from '@tessera/storage';
import { DeployError } from './deploy-error.ts';

/**
 * Opens the installation the server runs on, as apps/server/src/boot.ts does (same configuration,
 * master key and storage, migrations included), with two differences that make a tool safe to point
 * at the wrong place: it never creates an installation (no new PGlite folder, no generated master
 * key: secrets sealed with a made-up key would not open in the server), and it says what to do when
 * the embedded database is held by a running server.
 */
export async function openInstallation(config: Config, log: Logger): Promise<Storage> {
  const dataDir = config.db.dataDir;
  if (!config.db.url && !(await exists(join(dataDir, 'pglite')))) {
    throw new DeployError(
      `no Tessera database in ${dataDir}: start the server once to create it, or run this command with ` +
        'the TESSERA_DATA_DIR (or DATABASE_URL) the server uses',
    );
  }
  let masterKey: Buffer;
  try {
    masterKey = await loadMasterKey({
      configured: config.keys.masterKey,
      dataDir,
      sharedDatabase: Boolean(config.db.url),
      log,
      generate: false,
    });
  } catch (error) {
    throw new DeployError(`${(error as Error).message}: use the server's TESSERA_MASTER_KEY or data dir`);
  }
  try {
    return await openStorage({
      url: config.db.url,
      dataDir,
      poolSize: config.db.poolSize,
      bootRetryMs: config.db.bootRetryMs,
      masterKey,
      log,
    });
  } catch (error) {
    const holder = /in use by process (\d+)/.exec((error as Error).message);
    if (config.db.url || holder === null) throw error;
    // PGlite is one process's database (data-dir-lock.ts): writing next to a running server would
    // corrupt it, so the lock is never broken, only explained.
    throw new DataDirInUse(
      `the embedded database in ${dataDir} is in use by process ${holder[1]} (a running Tessera server?). ` +
        'Stop the server, deploy, then start it again; or run Tessera on Postgres (DATABASE_URL) to deploy ' +
        'while it runs',
    );
  }
}

/** The embedded database is held by another process (a running server): a command may ask it instead. */
export class DataDirInUse extends DeployError {}

/**
 * Opening one of the tenant's signing keys proves the master key is the server's: a different key
 * would seal action secrets the server cannot open, and fail every login through this action.
 */
export async function checkMasterKey(storage: Storage, tenant: Tenant): Promise<void> {
  try {
    await storage.signingKeys.list(tenant.id);
  } catch (error) {
    // A database that cannot be reached says nothing about the key: report the outage as it is.
    if (error instanceof ServiceUnavailableError) throw error;
    throw new DeployError(
      `the master key does not open tenant ${tenant.name}'s secrets (${(error as Error).message}): ` +
        "use the server's TESSERA_MASTER_KEY or data dir",
    );
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
