import type { RunResult } from '@tessera/actions';
import type { PostLoginTransaction } from '@tessera/core';
import { InvalidMetadataError, type Storage } from '@tessera/storage';
import { metadataChanges, type SecretLookup } from './outcome.ts';

/**
 * Writes the metadata a run set, once, as Auth0 does when the trigger ends. A failed run writes
 * nothing: its changes may be half of what the actions meant to do.
 *
 * Metadata storage refuses (docs/security.md#50: a `.` or `$` in a field name, a reserved app_metadata
 * property, a merged result over the size limit) fails the run as a broken limit does: nothing is
 * written, the login is denied, and the execution record says what was refused. Any other failure
 * (the database is unreachable) propagates and fails the login as before.
 */
export async function commitMetadata(
  storage: Storage,
  transaction: Pick<PostLoginTransaction, 'tenantId' | 'userId'>,
  result: RunResult,
  secrets: SecretLookup,
): Promise<RunResult> {
  const changes = result.outcome === 'failed' ? undefined : metadataChanges(result.commands, secrets);
  if (changes === undefined) return result;
  try {
    await storage.users.mergeMetadata(transaction.tenantId, transaction.userId, changes);
    return result;
  } catch (error) {
    if (!(error instanceof InvalidMetadataError)) throw error;
    const { commands, actions, logs, durationMs } = result;
    return {
      commands,
      actions,
      logs,
      durationMs,
      outcome: 'failed',
      kind: 'limit',
      action: undefined,
      message: `the metadata set by the actions was not saved: ${error.description}`,
    };
  }
}
