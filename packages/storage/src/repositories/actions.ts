import type { SecretBox } from '../crypto.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createActionBindings } from './action-bindings.ts';
import { type ActionDrafts, createActionDrafts } from './action-drafts.ts';
import { createActionVersions, type DeployResult } from './action-versions.ts';

export type { BindingRecord, BindingRef, DeployedAction } from './action-bindings.ts';
export {
  ACTION_LIMITS,
  type ActionChanges,
  type ActionInput,
  type ActionListQuery,
} from './action-drafts.ts';
export type {
  ActionDependency,
  ActionRecord,
  ActionTriggerRef,
  ActionVersionRecord,
} from './action-records.ts';
export type { ActionSecretChange, ActionSecretInput, SecretInfo } from './action-secrets.ts';
export type { DeployResult } from './action-versions.ts';

/**
 * Actions, their immutable deployed versions and trigger bindings. Secrets are sealed with the
 * SecretBox, the purpose binding the tenant and action, so a sealed value copied to another action's
 * row (or another tenant's) does not decrypt (issue 4 "Secrets"). Every multi-row change is one
 * transaction; NotFoundError means "not in this tenant".
 */
export interface ActionRepository extends ActionDrafts {
  /** Snapshots the draft (code and secrets) as a new immutable version and makes it the deployed one. */
  deploy(tenantId: string, actionId: string, options?: { ifCode?: string }): Promise<DeployResult>;
  /** A new deployed version identical to an earlier one (Auth0's roll back). */
  rollback(
    tenantId: string,
    actionId: string,
    versionId: string,
    options?: { updateDraft?: boolean },
  ): Promise<DeployResult>;
  versions: ReturnType<typeof createActionVersions>['versions'];
  version: ReturnType<typeof createActionVersions>['version'];
  /** Replaces the trigger's ordered bindings; every action must be deployed and support the trigger. */
  bind(tenantId: string, triggerId: string, actionIds: string[]): Promise<void>;
  /** The same, by id or name with display names, returning the new list (Auth0's PATCH bindings). */
  replaceBindings: ReturnType<typeof createActionBindings>['replace'];
  listBindings: ReturnType<typeof createActionBindings>['list'];
  /** The ids of the actions bound to the trigger, in the order they run. */
  bindings(tenantId: string, triggerId: string): Promise<string[]>;
  /** The trigger's bound actions in order, each at its deployed version with its secrets. */
  deployedForTrigger: ReturnType<typeof createActionBindings>['deployedForTrigger'];
}

export function createActionRepository(prisma: PrismaClient, box: SecretBox): ActionRepository {
  const versions = createActionVersions(prisma, box);
  const bindings = createActionBindings(prisma, box);
  return {
    ...createActionDrafts(prisma, box, versions),
    deploy: versions.deploy,
    rollback: versions.rollback,
    versions: versions.versions,
    version: versions.version,
    bind: bindings.bind,
    replaceBindings: bindings.replace,
    listBindings: bindings.list,
    bindings: bindings.bindings,
    deployedForTrigger: bindings.deployedForTrigger,
  };
}
