import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@tessera/core';
import { type Database, openDatabase } from '@tessera/storage';
import { applyMigrations, DROP_QUEUE_ENV, TEMPLATE_DATABASE_ENV } from './database.ts';

// What `pnpm test` (bin/run-suite.mjs) does around a run on Postgres, beside the test files: one
// migrated template database the tests copy (TEMPLATE_DATABASE_ENV in database.ts), and the dropping
// of the databases the tests are done with (DROP_QUEUE_ENV), off their critical path.

/** Drops at once: each DROP DATABASE waits for a checkpoint, and concurrent ones share it. */
const DROPS_AT_ONCE = 8;

export interface PostgresSuite {
  /** Environment variables for the test processes. */
  env: Record<string, string>;
  /** Drops what is left (the queue, then the template) and closes the connections. */
  finish(): Promise<void>;
}

/** The template and the drop queue for a run on the server of `serverUrl` (the DATABASE_URL). */
export async function startPostgresSuite(serverUrl: string): Promise<PostgresSuite> {
  const workDir = await mkdtemp(join(tmpdir(), 'tessera-suite-'));
  const queue = join(workDir, 'drop');
  await mkdir(queue);
  const admin = await openDatabase({
    url: serverUrl,
    dataDir: workDir,
    bootRetryMs: 0,
    poolSize: DROPS_AT_ONCE,
    log: silentLogger,
  });
  const template = `tessera_template_${randomBytes(6).toString('hex')}`;
  try {
    await admin.sql.exec(`CREATE DATABASE "${template}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${template}`;
    await applyMigrations(url.toString(), workDir);
  } catch (error) {
    await drop(admin, [template]).catch(() => {});
    await admin.close();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }

  let draining: Promise<void> = Promise.resolve();
  const drain = () => {
    draining = draining
      .catch(() => {})
      .then(async () => {
        const names = (await readdir(queue)).filter((name) => /^tessera_t_[0-9a-f]+$/.test(name));
        await drop(admin, names);
        await Promise.all(names.map((name) => unlink(join(queue, name))));
      });
    return draining;
  };
  // Every few seconds, so databases do not pile up over a long run; a failed round is retried next time.
  const timer = setInterval(() => drain().catch(() => {}), 3_000);
  return {
    env: { [TEMPLATE_DATABASE_ENV]: template, [DROP_QUEUE_ENV]: queue },
    async finish() {
      clearInterval(timer);
      try {
        await drain().catch(() => {});
        await drain();
        await drop(admin, [template]);
      } finally {
        await admin.close();
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}

async function drop(admin: Database, names: string[]): Promise<void> {
  const pending = [...names];
  const worker = async () => {
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
      // FORCE (PostgreSQL 13+): a test that failed half-way may leave connections open.
      await admin.sql.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DROPS_AT_ONCE, pending.length) }, worker));
}
