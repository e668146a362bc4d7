import type { Prisma } from '../generated/prisma/client.ts';
import { LOCKS, lockInTransaction } from '../locks.ts';

// Transaction-level advisory locks (LOCKS.actions in locks.ts). A transaction that needs both takes
// the bindings lock first, then the action's (only delete needs both): one order, no deadlock.

/**
 * Changes to one action take turns: two deploys at once would both pick the same next version number,
 * two draft edits would lose one's secrets, and an edit or deploy racing a delete would write to a
 * row that is gone.
 */
export const lockAction = (tx: Prisma.TransactionClient, tenantId: string, actionId: string) =>
  lockInTransaction(tx, LOCKS.actions, `${tenantId}:action:${actionId}`);

/**
 * A tenant's binding changes take turns: two replacements of a trigger's list interleaved would mix
 * their rows (or collide on positions); the last one to commit wins whole. Deleting a bound action
 * takes the same lock, so it cannot race a replacement that binds it.
 */
export const lockBindings = (tx: Prisma.TransactionClient, tenantId: string) =>
  lockInTransaction(tx, LOCKS.actions, `${tenantId}:bindings`);
