import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { relativePath, sourceFiles } from './source-tree.ts';

/**
 * SQL has one home, packages/storage/src: features call repositories (and `withAdvisoryLock` with a
 * lock of storage's LOCKS registry), so a schema change is made in one package and every advisory
 * lock id is in one list. Tests, and the harnesses that check what a server wrote as tests do
 * (packages/testing, bench), may query the database directly; they are not source.
 */

const STORAGE = 'packages/storage/src/';
const HARNESSES = ['packages/testing/', 'bench/'];

/** SQL as it is written in this code base: upper-case keywords, or Prisma's raw-query methods. */
const RAW_SQL =
  /pg_advisory|pg_try_advisory|\$queryRaw|\$executeRaw|\bSELECT\s+(?:[\w"*(]|\$\d)|\bINSERT\s+INTO\b|\bUPDATE\s+"?\w+"?\s+SET\b|\bDELETE\s+FROM\b|\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX|DATABASE)\b|\bLOCK\s+TABLE\b|\bTRUNCATE\b/;
/** A numeric advisory lock id of the registry's range, written anywhere but the registry. */
const LOCK_ID = /\b7270736\d\b|0x5349_?4b00|0x4143_?5400/i;

const findings = (files: string[], pattern: RegExp) =>
  files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => {
        const match = pattern.exec(line);
        return match ? [`${relativePath(file)}:${index + 1}: ${match[0]}`] : [];
      }),
  );

describe('one home for SQL and advisory locks', () => {
  const files = sourceFiles().filter((file) => !HARNESSES.some((dir) => relativePath(file).startsWith(dir)));

  it('recognises raw SQL, and not English that looks like it', () => {
    for (const sql of [
      "conn.query('SELECT pg_advisory_lock($1)', [id])",
      'SELECT 1',
      'SELECT * FROM users',
      'await tx.$queryRaw`SELECT now()`',
      'prisma.$executeRawUnsafe(text)',
      'INSERT INTO "_prisma_migrations" (id) VALUES ($1)',
      'UPDATE users SET blocked = true',
      'DELETE FROM executions',
      'LOCK TABLE executions IN EXCLUSIVE MODE',
    ])
      assert.match(sql, RAW_SQL, sql);
    for (const prose of [
      '// Select a tenant, then insert into the list',
      'const selected = users.filter(Boolean)',
      "label: 'SELECT'",
      '/** Updates the user set by an admin. */',
    ])
      assert.doesNotMatch(prose, RAW_SQL, prose);
  });

  it('has no raw SQL in a source file outside packages/storage/src', () => {
    const outside = files.filter((file) => !relativePath(file).startsWith(STORAGE));
    assert.ok(outside.length > 100, 'the source tree was read');
    assert.deepEqual(findings(outside, RAW_SQL), []);
  });

  it('takes every advisory lock through the registry (packages/storage/src/locks.ts)', () => {
    const elsewhere = files.filter((file) => relativePath(file) !== `${STORAGE}locks.ts`);
    assert.deepEqual(findings(elsewhere, /pg_(?:try_)?advisory/), [], 'advisory lock SQL only in locks.ts');
    assert.deepEqual(findings(elsewhere, LOCK_ID), [], 'lock ids only in the registry');
  });
});
