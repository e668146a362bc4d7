import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@tessera/core';
import type { SqlConnection } from './database.ts';
import { LOCKS, withAdvisoryLock } from './locks.ts';

/**
 * Applies `prisma/migrations/<name>/migration.sql` in name order and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksum of the file,
 * one step per migration), so Prisma's own tool and this one can take turns on the same database.
 * We cannot ship Prisma's native schema engine, hence this.
 */

// Prisma's DDL for the table (schema-engine sql-migration-connector, PostgreSQL flavour).
const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(
  db: SqlConnection,
  migrationsDir: string,
  log: Logger,
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(migrationsDir);
  // Prisma's own lock: holding it also keeps `prisma migrate deploy` out while we run.
  return withAdvisoryLock(db, LOCKS.migrator, async (conn) => {
    await conn.exec(HISTORY_DDL);
    const history = await conn.query<HistoryRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    warnAboutUnknown(history, migrations, log);
    const pending = migrations.filter((migration) => !isApplied(migration, history));
    const applied: string[] = [];
    for (const migration of pending) {
      await apply(conn, migration, log);
      applied.push(migration.name);
    }
    if (applied.length > 0) log.info({ applied }, 'database migrations applied');
    return { applied };
  });
}

/** Throws for a history Prisma itself would refuse to continue from. */
function isApplied(migration: Migration, history: HistoryRow[]): boolean {
  const rows = history.filter((row) => row.migration_name === migration.name);
  if (rows.some((row) => row.finished_at === null && row.rolled_back_at === null)) {
    throw new Error(
      `migration ${migration.name} was started but neither finished nor rolled back (a failed \`prisma migrate deploy\`?): ` +
        `repair the database, then mark it with \`prisma migrate resolve --rolled-back ${migration.name}\` or \`--applied\``,
    );
  }
  const done = rows.find((row) => row.finished_at !== null && row.rolled_back_at === null);
  if (done && done.checksum !== migration.checksum) {
    throw new Error(
      `migration ${migration.name} was modified after it was applied (checksum ${done.checksum} recorded, ` +
        `${migration.checksum} on disk): restore the original file and put the change in a new migration`,
    );
  }
  return done !== undefined;
}

/** A database migrated by a newer release than this one (a rollback of the image): say so, carry on. */
function warnAboutUnknown(history: HistoryRow[], migrations: Migration[], log: Logger) {
  const known = new Set(migrations.map((migration) => migration.name));
  const unknown = history.filter(
    (row) => row.finished_at && !row.rolled_back_at && !known.has(row.migration_name),
  );
  if (unknown.length > 0) {
    log.warn(
      { migrations: unknown.map((row) => row.migration_name) },
      'database has migrations this release does not know',
    );
  }
}

async function apply(conn: SqlConnection, migration: Migration, log: Logger) {
  const id = randomUUID();
  const [clock] = await conn.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  log.info({ migration: migration.name }, 'applying database migration');
  try {
    // The SQL and its history row commit together: a crash leaves both or neither. (Prisma sends the
    // script as one multi-statement query, which Postgres also runs as a single transaction.)
    await conn.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
        [id, migration.checksum, migration.name, clock?.now],
      );
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Rolled back as a whole, so the row says so: the next boot retries it once the file is fixed.
    await conn.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs, rolled_back_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp(), 0)`,
      [id, migration.checksum, migration.name, clock?.now, reason],
    );
    log.error({ migration: migration.name, err: reason }, 'database migration failed and was rolled back');
    throw new Error(`migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
  }
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name, 'migration.sql')).catch((error: NodeJS.ErrnoException) => {
      // Prisma skips folders without a migration.sql (e.g. an editor's leftovers) — so do we.
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!bytes) continue;
    const checksum = createHash('sha256').update(bytes).digest('hex');
    migrations.push({ name, sql: bytes.toString('utf8'), checksum });
  }
  return migrations;
}
