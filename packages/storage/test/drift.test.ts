import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { createTestDatabase, type TestDatabase } from '../../testing/src/database.ts';
import { type Database, openDatabase } from '../src/database.ts';
import { migrate } from '../src/migrator.ts';
import { defaultMigrationsDir } from '../src/storage.ts';

/**
 * The migrations are hand-written (no schema engine here), so this proves they build exactly the
 * database schema.prisma describes: same tables, columns (type, nullability, default), primary keys,
 * unique and plain indexes, foreign keys (columns, target, referential actions), and nothing more.
 * A field or index added to the schema without a migration, or the reverse, fails here.
 * The schema is read through Prisma's own parser (prisma-schema-wasm's DMMF), not by regex.
 * Long because the expectations (Prisma's type mapping and naming rules) live beside the checks.
 */

const { get_dmmf } = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as {
  get_dmmf(params: string): string;
};
const schemaPath = new URL('../../../prisma/schema.prisma', import.meta.url);

const sorted = <T>(rows: T[]) =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .map((r) => JSON.parse(r) as T);

describe('the migrated database matches prisma/schema.prisma', () => {
  let database: TestDatabase;
  let db: Database;
  let expected: ReturnType<typeof expectedSchema>;
  before(async () => {
    const dmmf = JSON.parse(
      get_dmmf(JSON.stringify({ prismaSchema: await readFile(schemaPath, 'utf8') })),
    ) as Dmmf;
    expected = expectedSchema(dmmf);
    database = await createTestDatabase();
    db = await openDatabase({
      url: database.url,
      dataDir: database.dataDir,
      bootRetryMs: 0,
      poolSize: 2,
      log: silentLogger,
    });
    await migrate(db.sql, defaultMigrationsDir, silentLogger);
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  it('has a table for every model and no other', async () => {
    const rows = await db.sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'`,
    );
    assert.deepEqual(rows.map((r) => r.name).sort(), expected.tables.sort());
  });

  it('has every field as a column of the same type, nullability and default, and no other column', async () => {
    const rows = await db.sql.query(
      `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type,
              NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS "default"
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
          AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    assert.deepEqual(sorted(rows), sorted(expected.columns));
  });

  it('has every primary key, unique index and index, named as Prisma names them, and no other', async () => {
    const rows = await db.sql.query(
      `SELECT i.relname AS name, t.relname AS "table", x.indisprimary AS "primary", x.indisunique AS "unique",
              am.amname AS method, x.indpred IS NOT NULL AS partial,
              (SELECT json_agg(a.attname ORDER BY k.ord)
                 FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
         JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    assert.deepEqual(sorted(rows), sorted(expected.indexes));
  });

  it('has every relation as a foreign key with its referential actions, and no other constraint', async () => {
    const rows = await db.sql.query(
      `SELECT c.conname AS name, t.relname AS "table", r.relname AS "references",
              (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
              (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS "referencedColumns",
              c.confdeltype AS "onDelete", c.confupdtype AS "onUpdate"
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         LEFT JOIN pg_class r ON r.oid = c.confrelid
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations' AND c.contype NOT IN ('p', 'n')`,
    );
    // Primary keys were checked with the indexes; anything else (CHECK, UNIQUE constraints, exclusion)
    // is something Prisma's schema cannot express, so it must not exist.
    assert.deepEqual(sorted(rows), sorted(expected.foreignKeys));
  });
});

// ---- What Prisma's PostgreSQL connector makes of the DMMF (prisma-engines sql-schema-connector) ----

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: string; length?: number }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[]; enums: unknown[] };
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Timestamptz: ([p = '6']) => `timestamp(${p}) with time zone`,
  Timestamp: ([p = '6']) => `timestamp(${p}) without time zone`,
  VarChar: ([n]) => (n ? `character varying(${n})` : 'character varying'),
  Char: ([n = '1']) => `character(${n})`,
  Text: () => 'text',
  Uuid: () => 'uuid',
  Integer: () => 'integer',
  SmallInt: () => 'smallint',
  Date: () => 'date',
};
const ACTIONS: Record<string, string> = {
  Cascade: 'c',
  Restrict: 'r',
  NoAction: 'a',
  SetNull: 'n',
  SetDefault: 'd',
};
/** Functions Prisma Client evaluates itself: no database default. */
const CLIENT_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

/** Prisma's default constraint names: `<table>_<columns>_<suffix>`, the stem cut to fit 63 bytes. */
const prismaName = (table: string, columns: string[], suffix: string) =>
  `${[table, ...columns].join('_').slice(0, 63 - suffix.length - 1)}_${suffix}`;

function teach(what: string): never {
  throw new Error(`drift.test.ts does not know ${what} yet: teach it Prisma's mapping before using it`);
}

function expectedSchema(dmmf: Dmmf) {
  if (dmmf.datamodel.enums.length > 0) teach('enums');
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const table = (m: DmmfModel) => m.dbName ?? m.name;
  const column = (m: DmmfModel, fieldName: string) => {
    const field = m.fields.find((f) => f.name === fieldName) ?? teach(`field ${m.name}.${fieldName}`);
    return field.dbName ?? field.name;
  };

  const columns = [...models.values()].flatMap((m) =>
    m.fields
      .filter((f) => f.kind !== 'object')
      .map((f) => {
        if (f.kind !== 'scalar') teach(`${f.kind} fields`);
        const [native, args] = f.nativeType ?? [];
        const base = native
          ? (NATIVE_TYPES[native] ?? teach(`@db.${native}`))(args ?? [])
          : SCALAR_TYPES[f.type];
        const type = `${base ?? teach(`type ${f.type}`)}${f.isList ? '[]' : ''}`;
        // Scalar lists are NOT NULL in Prisma's model but nullable columns in its migrations.
        return {
          table: table(m),
          column: f.dbName ?? f.name,
          type,
          nullable: !f.isRequired || f.isList,
          default: sqlDefault(f, type),
        };
      }),
  );

  const indexes = dmmf.datamodel.indexes.map((index) => {
    const m = models.get(index.model) ?? teach(`model ${index.model}`);
    if (index.type === 'fulltext' || index.algorithm || index.fields.some((f) => f.sortOrder || f.length)) {
      teach('index options (fulltext, algorithm, sort order, length)');
    }
    const cols = index.fields.map((f) => column(m, f.name));
    const suffix = { id: 'pkey', unique: 'key', normal: 'idx' }[index.type];
    return {
      name: index.dbName ?? (index.type === 'id' ? `${table(m)}_pkey` : prismaName(table(m), cols, suffix)),
      table: table(m),
      primary: index.type === 'id',
      unique: index.type !== 'normal',
      method: 'btree',
      partial: false,
      columns: cols,
    };
  });

  const foreignKeys = [...models.values()].flatMap((m) =>
    m.fields
      .filter((f) => f.kind === 'object' && f.relationFromFields?.length)
      .map((f) => {
        const target = models.get(f.type) ?? teach(`model ${f.type}`);
        const from = f.relationFromFields ?? [];
        const optional = from.some((name) => !m.fields.find((x) => x.name === name)?.isRequired);
        const cols = from.map((name) => column(m, name));
        return {
          name: prismaName(table(m), cols, 'fkey'),
          table: table(m),
          references: table(target),
          columns: cols,
          referencedColumns: (f.relationToFields ?? []).map((name) => column(target, name)),
          // Prisma's defaults: Restrict (SetNull when optional) on delete, Cascade on update.
          onDelete: ACTIONS[f.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict')],
          onUpdate: ACTIONS[f.relationOnUpdate ?? 'Cascade'],
        };
      }),
  );

  return { tables: [...models.values()].map(table), columns, indexes, foreignKeys };
}

/** The default as PostgreSQL prints it back (`pg_get_expr`), or null when the database has none. */
function sqlDefault(field: DmmfField, type: string): string | null {
  if (!field.hasDefaultValue) return null;
  const value = field.default;
  if (Array.isArray(value)) return value.length === 0 ? `ARRAY[]::${type}` : teach('non-empty list defaults');
  if (typeof value === 'object' && value !== null) {
    const { name, args } = value as { name: string; args: unknown[] };
    if (CLIENT_DEFAULTS.has(name)) return null;
    if (name === 'now') return 'CURRENT_TIMESTAMP';
    if (name === 'dbgenerated' && typeof args[0] === 'string') return args[0];
    return teach(`@default(${name}())`);
  }
  if (field.type === 'String' || field.type === 'Json') {
    const cast = type.startsWith('character varying') ? 'character varying' : type;
    return `'${String(value).replaceAll("'", "''")}'::${cast}`;
  }
  if (['Boolean', 'Int', 'BigInt', 'Float'].includes(field.type)) return String(value);
  return teach(`defaults of type ${field.type}`);
}
