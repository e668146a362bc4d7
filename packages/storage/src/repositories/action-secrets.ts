import { ACTION_LIMITS, InvalidRequestError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';

export interface ActionSecretInput {
  name: string;
  value: string;
}

/** A secret in a draft change: without `value`, the secret of that name keeps its current value. */
export interface ActionSecretChange {
  name: string;
  value?: string;
}

/** What is sealed per secret; `updatedAt` (ISO) is absent in rows written before it was recorded. */
export interface SealedSecret {
  name: string;
  value: string;
  updatedAt?: string;
}

/** A secret as an admin may see it: never the value (Auth0 returns names and `updated_at` only). */
export interface SecretInfo {
  name: string;
  updatedAt: Date;
}

/** The purpose binds tenant and action: a sealed list copied to another action's row does not open. */
const purpose = (tenantId: string, actionId: string) => `action-secrets:${tenantId}:${actionId}`;

export function openSecrets(
  box: SecretBox,
  tenantId: string,
  actionId: string,
  sealed: string | null,
): SealedSecret[] {
  return sealed === null
    ? []
    : (JSON.parse(box.decrypt(sealed, purpose(tenantId, actionId))) as SealedSecret[]);
}

export function sealSecrets(
  box: SecretBox,
  tenantId: string,
  actionId: string,
  secrets: SealedSecret[],
): string | null {
  return secrets.length === 0 ? null : box.encrypt(JSON.stringify(secrets), purpose(tenantId, actionId));
}

/** Names and change times; a secret sealed without a time reports `fallback` (when its row changed). */
export const secretInfo = (secrets: SealedSecret[], fallback: Date): SecretInfo[] =>
  secrets.map((s) => ({ name: s.name, updatedAt: s.updatedAt ? new Date(s.updatedAt) : fallback }));

/** Auth0's limits: at most 30 secrets, names 1–128 characters and unique, values ≤ 4 KB. */
export function checkSecrets(secrets: readonly ActionSecretChange[]): void {
  if (secrets.length > ACTION_LIMITS.secrets)
    throw new InvalidRequestError(`an action may have at most ${ACTION_LIMITS.secrets} secrets`);
  const names = new Set<string>();
  for (const secret of secrets) {
    if (
      typeof secret?.name !== 'string' ||
      secret.name.length === 0 ||
      secret.name.length > ACTION_LIMITS.secretName
    ) {
      throw new InvalidRequestError(`secret names must be 1 to ${ACTION_LIMITS.secretName} characters`);
    }
    if (
      secret.value !== undefined &&
      (typeof secret.value !== 'string' || secret.value.length > ACTION_LIMITS.secretValue)
    ) {
      throw new InvalidRequestError(
        `secret ${secret.name}: the value must be a string of at most ${ACTION_LIMITS.secretValue} characters`,
      );
    }
    if (names.has(secret.name)) throw new InvalidRequestError(`secret ${secret.name} is given twice`);
    names.add(secret.name);
  }
}

/**
 * The new list of a draft's secrets. Auth0's PATCH replaces the list; an entry without a value keeps
 * the value (and change time) it had, so a tool can send back the names it read. A value that did not
 * change keeps its change time too. A new name without a value starts as the empty string, as when an
 * action is created with one: Auth0 takes secrets as name with an optional value (its SDK's
 * `ActionSecretRequest`), and its deploy CLI, which never reads values, creates actions in a new
 * tenant from names alone unless its keyword mappings supply them (docs/actions.md#secrets).
 */
export function mergeSecrets(
  current: readonly SealedSecret[],
  changes: readonly ActionSecretChange[],
  now: Date,
): SealedSecret[] {
  checkSecrets(changes);
  return changes.map((change) => {
    const existing = current.find((s) => s.name === change.name);
    if (change.value === undefined)
      return existing ?? { name: change.name, value: '', updatedAt: now.toISOString() };
    if (existing?.value === change.value) return existing;
    return { name: change.name, value: change.value, updatedAt: now.toISOString() };
  });
}
