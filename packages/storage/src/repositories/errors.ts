import { Prisma } from '../generated/prisma/client.ts';

/**
 * Prisma reports constraint violations as P2002 (unique) and P2003 (foreign key). Through a driver
 * adapter the constraint is described in `meta.driverAdapterError.cause` (not `meta.target`), so a
 * caller that must tell two unique constraints apart names the column it asks about.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  return isKnown(error, 'P2002') && (column === undefined || describes(error, column));
}

export function isForeignKeyViolation(error: unknown): boolean {
  return isKnown(error, 'P2003');
}

/** P2025: the record an update or delete addresses does not exist (for us: not in this tenant). */
export function isRecordNotFound(error: unknown): boolean {
  return isKnown(error, 'P2025');
}

function isKnown(error: unknown, code: string): error is Prisma.PrismaClientKnownRequestError {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}

/** PGlite's adapter names the columns (`fields`), `pg`'s names the index (`<table>_<columns>_key`). */
function describes(error: Prisma.PrismaClientKnownRequestError, column: string): boolean {
  const meta = error.meta as { driverAdapterError?: { cause?: { constraint?: ConstraintMeta } } } | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  return Boolean(constraint?.fields?.includes(column) || constraint?.index?.includes(`_${column}_`));
}

type ConstraintMeta = { fields?: string[]; index?: string };
