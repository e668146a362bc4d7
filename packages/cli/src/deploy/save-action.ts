import type { ActionRecord, ActionSecretInput, Storage } from '@tessera/storage';

export interface SavedAction {
  id: string;
  created: boolean;
  version: { id: string; number: number };
}

/**
 * Creates the action, or replaces the draft of the one with that name (its secrets only when new
 * ones are given: redeploying code keeps them, as editing code in Auth0 does), then deploys the draft
 * as a new immutable version. Each repository call is atomic; a failure between them leaves at most
 * an undeployed draft, which no login runs.
 */
export async function saveAndDeploy(
  storage: Storage,
  tenantId: string,
  existing: ActionRecord | undefined,
  input: { name: string; code: string; secrets: ActionSecretInput[] | undefined },
): Promise<SavedAction> {
  const action = existing
    ? await storage.actions.update(tenantId, existing.id, { code: input.code, secrets: input.secrets })
    : await storage.actions.create(tenantId, {
        name: input.name,
        code: input.code,
        supportedTriggers: [{ id: 'post-login', version: 'v3' }],
        secrets: input.secrets,
      });
  const version = await storage.actions.deploy(tenantId, action.id);
  return {
    id: action.id,
    created: existing === undefined,
    version: { id: version.versionId, number: version.number },
  };
}
