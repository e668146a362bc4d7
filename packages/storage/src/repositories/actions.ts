import { randomUUID } from 'node:crypto';
import { ACTION_LIMITS as CORE_ACTION_LIMITS, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { isRecordNotFound } from './errors.ts';

/** Auth0's limits (core's ACTION_LIMITS) plus the name length the Management API allows. */
export const ACTION_LIMITS = { ...CORE_ACTION_LIMITS, name: 256 } as const;

export interface ActionSecretInput {
  name: string;
  value: string;
}

export interface ActionInput {
  name: string;
  code: string;
  /** `[{ id: 'post-login', version: 'v3' }]` */
  supportedTriggers: Array<{ id: string; version: string }>;
  runtime?: string;
  secrets?: ActionSecretInput[];
}

export interface ActionRecord {
  id: string;
  name: string;
  code: string;
  runtime: string;
  supportedTriggers: Array<{ id: string; version: string }>;
  /** Names only: values never leave the repository except to the sandbox (deployedForTrigger). */
  secretNames: string[];
  deployedVersionId: string | null;
}

/** What `update` may change in the draft; a field left out keeps its value. */
export interface ActionChanges {
  code?: string;
  /** The complete new list: secrets not named are removed (Auth0's PATCH replaces the list too). */
  secrets?: ActionSecretInput[];
}

/** A bound, deployed action as the trigger runs it, secrets decrypted for the sandbox. */
export interface DeployedAction {
  id: string;
  name: string;
  versionId: string;
  code: string;
  secrets: Record<string, string>;
}

/**
 * Actions, their immutable deployed versions and trigger bindings. Secrets are sealed with the
 * SecretBox, the purpose binding the tenant and action, so a sealed value copied to another action's
 * row (or another tenant's) does not decrypt (issue 4 "Secrets").
 */
export interface ActionRepository {
  create(tenantId: string, input: ActionInput): Promise<ActionRecord>;
  get(tenantId: string, actionId: string): Promise<ActionRecord | undefined>;
  /** Names are unique within a tenant. */
  findByName(tenantId: string, name: string): Promise<ActionRecord | undefined>;
  /**
   * Changes the draft in one statement; deployed versions (and so logins) are untouched until the
   * next `deploy`. InvalidRequestError for bad values, NotFoundError for another tenant's action.
   */
  update(tenantId: string, actionId: string, changes: ActionChanges): Promise<ActionRecord>;
  /** Snapshots the draft (code and secrets) as a new immutable version and makes it the deployed one. */
  deploy(tenantId: string, actionId: string): Promise<{ versionId: string; number: number }>;
  /** Replaces the trigger's ordered bindings; every action must be deployed and support the trigger. */
  bind(tenantId: string, triggerId: string, actionIds: string[]): Promise<void>;
  /** The ids of the actions bound to the trigger, in the order they run. */
  bindings(tenantId: string, triggerId: string): Promise<string[]>;
  /** The trigger's bound actions in order, each at its deployed version with its secrets. */
  deployedForTrigger(tenantId: string, triggerId: string): Promise<DeployedAction[]>;
}

const purpose = (tenantId: string, actionId: string) => `action-secrets:${tenantId}:${actionId}`;

function checkSecrets(secrets: ActionSecretInput[]): void {
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
    if (typeof secret.value !== 'string' || secret.value.length > ACTION_LIMITS.secretValue) {
      throw new InvalidRequestError(
        `secret ${secret.name}: the value must be a string of at most ${ACTION_LIMITS.secretValue} characters`,
      );
    }
    if (names.has(secret.name)) throw new InvalidRequestError(`secret ${secret.name} is given twice`);
    names.add(secret.name);
  }
}

type Row = {
  id: string;
  name: string;
  code: string;
  runtime: string;
  supportedTriggers: unknown;
  secretsEncrypted: string | null;
  deployedVersionId: string | null;
};

export function createActionRepository(prisma: PrismaClient, box: SecretBox): ActionRepository {
  const open = (tenantId: string, actionId: string, sealed: string | null): ActionSecretInput[] =>
    sealed === null
      ? []
      : (JSON.parse(box.decrypt(sealed, purpose(tenantId, actionId))) as ActionSecretInput[]);
  const toRecord = (tenantId: string, row: Row): ActionRecord => ({
    id: row.id,
    name: row.name,
    code: row.code,
    runtime: row.runtime,
    supportedTriggers: row.supportedTriggers as ActionRecord['supportedTriggers'],
    secretNames: open(tenantId, row.id, row.secretsEncrypted).map((s) => s.name),
    deployedVersionId: row.deployedVersionId,
  });

  return {
    async create(tenantId, input) {
      if (
        typeof input.name !== 'string' ||
        input.name.length === 0 ||
        input.name.length > ACTION_LIMITS.name
      ) {
        throw new InvalidRequestError(`name must be 1 to ${ACTION_LIMITS.name} characters`);
      }
      const secrets = input.secrets ?? [];
      checkSecrets(secrets);
      const id = randomUUID();
      const row = await prisma.action.create({
        data: {
          id,
          tenantId,
          name: input.name,
          code: input.code,
          runtime: input.runtime ?? 'node22',
          supportedTriggers: input.supportedTriggers,
          secretsEncrypted:
            secrets.length === 0 ? null : box.encrypt(JSON.stringify(secrets), purpose(tenantId, id)),
        },
      });
      return toRecord(tenantId, row);
    },

    async get(tenantId, actionId) {
      const row = await prisma.action.findFirst({ where: { id: actionId, tenantId } });
      return row === null ? undefined : toRecord(tenantId, row);
    },

    async findByName(tenantId, name) {
      const row = await prisma.action.findUnique({ where: { tenantId_name: { tenantId, name } } });
      return row === null ? undefined : toRecord(tenantId, row);
    },

    async update(tenantId, actionId, changes) {
      const data: Prisma.ActionUpdateInput = {};
      if (changes.code !== undefined) {
        if (typeof changes.code !== 'string') throw new InvalidRequestError('code must be a string');
        data.code = changes.code;
      }
      if (changes.secrets !== undefined) {
        if (!Array.isArray(changes.secrets)) throw new InvalidRequestError('secrets must be an array');
        checkSecrets(changes.secrets);
        data.secretsEncrypted =
          changes.secrets.length === 0
            ? null
            : box.encrypt(JSON.stringify(changes.secrets), purpose(tenantId, actionId));
      }
      try {
        // Confined to the tenant: another tenant's action id is as unknown as a made-up one.
        return toRecord(tenantId, await prisma.action.update({ where: { id: actionId, tenantId }, data }));
      } catch (error) {
        if (isRecordNotFound(error)) throw new NotFoundError('action not found');
        throw error;
      }
    },

    async deploy(tenantId, actionId) {
      return prisma.$transaction(async (tx) => {
        const action = await tx.action.findFirst({ where: { id: actionId, tenantId } });
        if (action === null) throw new NotFoundError('action not found');
        const last = await tx.actionVersion.findFirst({
          where: { actionId },
          orderBy: { number: 'desc' },
          select: { number: true },
        });
        const number = (last?.number ?? 0) + 1;
        await tx.actionVersion.updateMany({ where: { actionId, deployed: true }, data: { deployed: false } });
        const version = await tx.actionVersion.create({
          data: {
            tenantId,
            actionId,
            number,
            code: action.code,
            runtime: action.runtime,
            supportedTriggers: action.supportedTriggers ?? [],
            dependencies: action.dependencies ?? [],
            secretsEncrypted: action.secretsEncrypted,
            deployed: true,
          },
        });
        await tx.action.update({ where: { id: actionId }, data: { deployedVersionId: version.id } });
        return { versionId: version.id, number };
      });
    },

    async bind(tenantId, triggerId, actionIds) {
      if (actionIds.length > ACTION_LIMITS.bound)
        throw new InvalidRequestError(`a trigger may bind at most ${ACTION_LIMITS.bound} actions`);
      await prisma.$transaction(async (tx) => {
        const actions = await tx.action.findMany({ where: { tenantId, id: { in: actionIds } } });
        for (const id of actionIds) {
          const action = actions.find((a) => a.id === id);
          if (action === undefined) throw new NotFoundError(`action ${id} not found`);
          if (action.deployedVersionId === null)
            throw new InvalidRequestError(`action ${action.name} is not deployed`);
          const triggers = action.supportedTriggers as Array<{ id: string }>;
          if (!triggers.some((t) => t.id === triggerId))
            throw new InvalidRequestError(`action ${action.name} does not support ${triggerId}`);
        }
        await tx.triggerBinding.deleteMany({ where: { tenantId, triggerId } });
        await tx.triggerBinding.createMany({
          data: actionIds.map((actionId, position) => ({
            tenantId,
            triggerId,
            actionId,
            position,
            displayName: actions.find((a) => a.id === actionId)?.name ?? actionId,
          })),
        });
      });
    },

    async bindings(tenantId, triggerId) {
      const rows = await prisma.triggerBinding.findMany({
        where: { tenantId, triggerId },
        orderBy: { position: 'asc' },
        select: { actionId: true },
      });
      return rows.map((row) => row.actionId);
    },

    async deployedForTrigger(tenantId, triggerId) {
      const bindings = await prisma.triggerBinding.findMany({
        where: { tenantId, triggerId },
        orderBy: { position: 'asc' },
        include: { action: { include: { deployedVersion: true } } },
      });
      return bindings.flatMap(({ action }) => {
        const version = action.deployedVersion;
        if (version === null) return [];
        const secrets = Object.fromEntries(
          open(tenantId, action.id, version.secretsEncrypted).map((s) => [s.name, s.value]),
        );
        return [{ id: action.id, name: action.name, versionId: version.id, code: version.code, secrets }];
      });
    },
  };
}
