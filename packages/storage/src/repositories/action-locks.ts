import type { Prisma } from '../generated/prisma/client.ts';

// Two-integer advisory locks, a class of their own (signing keys use 0x5349_4b00, the migrator a
// single bigint), held until the transaction ends. A transaction that needs both takes the
// bindings lock first, then the action's (only delete needs both): one order, no deadlock.
const ACTION_LOCK_CLASS = 0x4143_5400;

/**
 * Changes to one action take turns: two deploys at once would both pick the same next version number,
 * two draft edits would lose one's secrets, and an edit or deploy racing a delete would write to a
 * row that is gone.
 */
export const lockAction = (tx: Prisma.TransactionClient, tenantId: string, actionId: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACTION_LOCK_CLASS}::int, hashtext(${`${tenantId}:action:${actionId}`}))`;

/**
 * A tenant's binding changes take turns: two replacements of a trigger's list interleaved would mix
 * their rows (or collide on positions); the last one to commit wins whole. Deleting a bound action
 * takes the same lock, so it cannot race a replacement that binds it.
 */
export const lockBindings = (tx: Prisma.TransactionClient, tenantId: string) =>
  tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACTION_LOCK_CLASS}::int, hashtext(${`${tenantId}:bindings`}))`;
