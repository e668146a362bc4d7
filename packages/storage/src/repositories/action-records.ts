import type { SecretBox } from '../crypto.ts';
import { openSecrets, type SealedSecret, type SecretInfo, secretInfo } from './action-secrets.ts';

// Type aliases, not interfaces: they must stay assignable to Prisma's JSON input types.
export type ActionTriggerRef = {
  id: string;
  version: string;
};

/** An npm module an action asks for (`[{ name: 'lodash', version: '4.17.21' }]`). */
export type ActionDependency = {
  name: string;
  version: string;
  registry_url?: string;
};

export interface ActionRecord {
  id: string;
  name: string;
  code: string;
  runtime: string;
  supportedTriggers: ActionTriggerRef[];
  dependencies: ActionDependency[];
  /** Names only: values never leave the repository except to the sandbox (deployedForTrigger, draft). */
  secretNames: string[];
  secrets: SecretInfo[];
  /** Auth0's build status; Tessera builds nothing, so always `built`. */
  status: string;
  deployedVersionId: string | null;
  /** The version logins run; null until the first deploy. */
  deployedVersion: ActionVersionRecord | null;
  /** The draft equals the deployed version (code, runtime, dependencies, secrets, triggers). */
  allChangesDeployed: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One immutable deployed snapshot of an action. */
export interface ActionVersionRecord {
  id: string;
  actionId: string;
  number: number;
  code: string;
  runtime: string;
  supportedTriggers: ActionTriggerRef[];
  dependencies: ActionDependency[];
  secrets: SecretInfo[];
  /** This version is the one logins run. */
  deployed: boolean;
  status: string;
  createdAt: Date;
}

type Snapshot = {
  code: string;
  runtime: string;
  dependencies: unknown;
  supportedTriggers: unknown;
  secretsEncrypted: string | null;
};

export type ActionRow = Snapshot & {
  id: string;
  name: string;
  status: string;
  deployedVersionId: string | null;
  createdAt: Date;
  updatedAt: Date;
  deployedVersion: VersionRow | null;
};

export type VersionRow = Snapshot & {
  id: string;
  actionId: string;
  number: number;
  deployed: boolean;
  status: string;
  createdAt: Date;
};

/** Every action query loads its deployed version with it (one join): `allChangesDeployed` compares the two. */
export const WITH_DEPLOYED = { deployedVersion: true } as const;

const same = (a: Snapshot, b: Snapshot) =>
  a.code === b.code &&
  a.runtime === b.runtime &&
  JSON.stringify(a.dependencies) === JSON.stringify(b.dependencies) &&
  JSON.stringify(a.supportedTriggers) === JSON.stringify(b.supportedTriggers);

/** Equal secrets: the same names and values in order (a re-sealed unchanged list is another string). */
const sameSecrets = (a: SealedSecret[], b: SealedSecret[]) =>
  a.length === b.length && a.every((s, i) => s.name === b[i]!.name && s.value === b[i]!.value);

export function toActionRecord(box: SecretBox, tenantId: string, row: ActionRow): ActionRecord {
  const sealed = openSecrets(box, tenantId, row.id, row.secretsEncrypted);
  const secrets = secretInfo(sealed, row.updatedAt);
  const deployed = row.deployedVersion;
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    runtime: row.runtime,
    supportedTriggers: row.supportedTriggers as ActionTriggerRef[],
    dependencies: row.dependencies as ActionDependency[],
    secretNames: secrets.map((s) => s.name),
    secrets,
    status: row.status,
    deployedVersionId: row.deployedVersionId,
    deployedVersion:
      row.deployedVersion === null ? null : toVersionRecord(box, tenantId, row.deployedVersion),
    allChangesDeployed:
      deployed !== null &&
      same(row, deployed) &&
      (row.secretsEncrypted === deployed.secretsEncrypted ||
        sameSecrets(sealed, openSecrets(box, tenantId, row.id, deployed.secretsEncrypted))),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toVersionRecord(box: SecretBox, tenantId: string, row: VersionRow): ActionVersionRecord {
  return {
    id: row.id,
    actionId: row.actionId,
    number: row.number,
    code: row.code,
    runtime: row.runtime,
    supportedTriggers: row.supportedTriggers as ActionTriggerRef[],
    dependencies: row.dependencies as ActionDependency[],
    secrets: secretInfo(openSecrets(box, tenantId, row.actionId, row.secretsEncrypted), row.createdAt),
    deployed: row.deployed,
    status: row.status,
    createdAt: row.createdAt,
  };
}
