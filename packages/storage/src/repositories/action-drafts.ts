import { randomUUID } from 'node:crypto';
import {
  ACTION_LIMITS as CORE_ACTION_LIMITS,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
} from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { lockAction, lockBindings } from './action-locks.ts';
import {
  type ActionDependency,
  type ActionRecord,
  type ActionTriggerRef,
  toActionRecord,
  WITH_DEPLOYED,
} from './action-records.ts';
import {
  type ActionSecretChange,
  checkSecrets,
  mergeSecrets,
  openSecrets,
  sealSecrets,
} from './action-secrets.ts';
import type { createActionVersions } from './action-versions.ts';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from './errors.ts';

/** Auth0's limits (core's ACTION_LIMITS) plus the name length the Management API allows. */
export const ACTION_LIMITS = { ...CORE_ACTION_LIMITS, name: 256 } as const;

export interface ActionInput {
  name: string;
  code: string;
  /** `[{ id: 'post-login', version: 'v3' }]` */
  supportedTriggers: ActionTriggerRef[];
  runtime?: string;
  dependencies?: ActionDependency[];
  /** A secret named without a value starts empty (see mergeSecrets). */
  secrets?: ActionSecretChange[];
}

/** What `update` may change in the draft; a field left out keeps its value. */
export interface ActionChanges {
  name?: string;
  code?: string;
  runtime?: string;
  dependencies?: ActionDependency[];
  supportedTriggers?: ActionTriggerRef[];
  /** The complete new list (Auth0's PATCH replaces it); an entry without a value keeps its value. */
  secrets?: ActionSecretChange[];
}

export interface ActionListQuery {
  triggerId?: string;
  name?: string;
  /** true: only deployed actions; false: only never-deployed ones. */
  deployed?: boolean;
  skip: number;
  take: number;
}

function checkName(name: unknown): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > ACTION_LIMITS.name)
    throw new InvalidRequestError(`name must be 1 to ${ACTION_LIMITS.name} characters`);
}

const nameTaken = () => new ConflictError('an action with this name already exists');
const notFound = (cause?: unknown) => new NotFoundError('action not found', { cause });

/**
 * The action deleted under a write (P2025: the row to change is gone; P2003: a version or binding
 * would point at it). The action lock makes this unlikely; should it happen, the action is gone (404).
 */
const isGone = (error: unknown) => isRecordNotFound(error) || isForeignKeyViolation(error);

/**
 * The drafts: what an admin edits. Nothing here changes what logins run, except `delete` (a deleted
 * action no longer runs) and `create` with `deploy`.
 */
export interface ActionDrafts {
  /** ConflictError for a name the tenant already uses; with `deploy`, version 1 in the same transaction. */
  create(tenantId: string, input: ActionInput, options?: { deploy?: boolean }): Promise<ActionRecord>;
  get(tenantId: string, actionId: string): Promise<ActionRecord | undefined>;
  /** Names are unique within a tenant. */
  findByName(tenantId: string, name: string): Promise<ActionRecord | undefined>;
  /** Oldest first. */
  list(tenantId: string, query: ActionListQuery): Promise<{ actions: ActionRecord[]; total: number }>;
  /**
   * Changes the draft; deployed versions (and so logins) are untouched until the next `deploy`.
   * InvalidRequestError for bad values or dropping a trigger the action is bound to, ConflictError
   * for a taken name, NotFoundError for another tenant's action.
   */
  update(tenantId: string, actionId: string, changes: ActionChanges): Promise<ActionRecord>;
  /** Removes the action and its versions; bound → ConflictError unless `force` (unbinds it too). */
  delete(tenantId: string, actionId: string, options?: { force?: boolean }): Promise<void>;
  /** The draft as a test run needs it: code and decrypted secrets. */
  draft(
    tenantId: string,
    actionId: string,
  ): Promise<{ code: string; secrets: Record<string, string> } | undefined>;
}

export function createActionDrafts(
  prisma: PrismaClient,
  box: SecretBox,
  versions: ReturnType<typeof createActionVersions>,
): ActionDrafts {
  const record = (tenantId: string, row: Parameters<typeof toActionRecord>[2]) =>
    toActionRecord(box, tenantId, row);
  const find = async (
    tenantId: string,
    where: Prisma.ActionWhereInput,
  ): Promise<ActionRecord | undefined> => {
    const row = await prisma.action.findFirst({ where: { ...where, tenantId }, include: WITH_DEPLOYED });
    return row === null ? undefined : record(tenantId, row);
  };

  return {
    async create(tenantId, input, options = {}) {
      checkName(input.name);
      const secrets = input.secrets ?? [];
      checkSecrets(secrets);
      const id = randomUUID();
      const now = new Date().toISOString();
      try {
        await prisma.$transaction(async (tx) => {
          const action = await tx.action.create({
            data: {
              id,
              tenantId,
              name: input.name,
              code: input.code,
              runtime: input.runtime ?? 'node22',
              supportedTriggers: input.supportedTriggers,
              dependencies: input.dependencies ?? [],
              secretsEncrypted: sealSecrets(
                box,
                tenantId,
                id,
                secrets.map((s) => ({ name: s.name, value: s.value ?? '', updatedAt: now })),
              ),
            },
          });
          if (options.deploy) {
            await versions.addDeployed(tx, tenantId, id, {
              code: action.code,
              runtime: action.runtime,
              supportedTriggers: action.supportedTriggers ?? [],
              dependencies: action.dependencies ?? [],
              secretsEncrypted: action.secretsEncrypted,
            });
          }
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken();
        throw error;
      }
      return (await find(tenantId, { id }))!;
    },

    get: (tenantId, actionId) => find(tenantId, { id: actionId }),

    findByName: (tenantId, name) => find(tenantId, { name }),

    async list(tenantId, query) {
      const where: Prisma.ActionWhereInput = {
        tenantId,
        ...(query.name === undefined ? {} : { name: query.name }),
        ...(query.deployed === undefined ? {} : { deployedVersionId: query.deployed ? { not: null } : null }),
        // jsonb containment: `[{ id, version }] @> [{ id }]`.
        ...(query.triggerId === undefined
          ? {}
          : { supportedTriggers: { array_contains: [{ id: query.triggerId }] } }),
      };
      const [rows, total] = await Promise.all([
        prisma.action.findMany({
          where,
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          skip: query.skip,
          take: query.take,
          include: WITH_DEPLOYED,
        }),
        prisma.action.count({ where }),
      ]);
      return { actions: rows.map((row) => record(tenantId, row)), total };
    },

    async update(tenantId, actionId, changes) {
      if (changes.name !== undefined) checkName(changes.name);
      if (changes.code !== undefined && typeof changes.code !== 'string')
        throw new InvalidRequestError('code must be a string');
      if (changes.secrets !== undefined && !Array.isArray(changes.secrets))
        throw new InvalidRequestError('secrets must be an array');
      if (changes.secrets !== undefined) checkSecrets(changes.secrets);
      try {
        return await prisma.$transaction(async (tx) => {
          await lockAction(tx, tenantId, actionId);
          const current = await tx.action.findFirst({ where: { id: actionId, tenantId } });
          if (current === null) throw notFound();
          const data: Prisma.ActionUpdateInput = {};
          if (changes.name !== undefined) data.name = changes.name;
          if (changes.code !== undefined) data.code = changes.code;
          if (changes.runtime !== undefined) data.runtime = changes.runtime;
          if (changes.dependencies !== undefined) data.dependencies = changes.dependencies;
          if (changes.supportedTriggers !== undefined) {
            const bound = await tx.triggerBinding.findMany({
              where: { tenantId, actionId },
              select: { triggerId: true },
            });
            const lost = bound.find((b) => !changes.supportedTriggers!.some((t) => t.id === b.triggerId));
            if (lost !== undefined)
              throw new InvalidRequestError(
                `the action is bound to ${lost.triggerId}; unbind it before changing its triggers`,
              );
            data.supportedTriggers = changes.supportedTriggers;
          }
          if (changes.secrets !== undefined) {
            const now = new Date();
            const merged = mergeSecrets(
              openSecrets(box, tenantId, actionId, current.secretsEncrypted),
              changes.secrets,
              now,
            );
            data.secretsEncrypted = sealSecrets(box, tenantId, actionId, merged);
          }
          const row = await tx.action.update({
            where: { id: actionId, tenantId },
            data,
            include: WITH_DEPLOYED,
          });
          return record(tenantId, row);
        });
      } catch (error) {
        if (isUniqueViolation(error, 'name')) throw nameTaken();
        if (isGone(error)) throw notFound(error);
        throw error;
      }
    },

    async delete(tenantId, actionId, options = {}) {
      try {
        await prisma.$transaction(async (tx) => {
          // Both locks, in the order of action-locks.ts (bindings, then action): a replacement of
          // bindings cannot bind the action meanwhile, and an edit or a deploy waits, then finds it gone.
          await lockBindings(tx, tenantId);
          await lockAction(tx, tenantId, actionId);
          const action = await tx.action.findFirst({
            where: { id: actionId, tenantId },
            select: { id: true },
          });
          if (action === null) throw notFound();
          const bound = await tx.triggerBinding.count({ where: { tenantId, actionId } });
          // Auth0: "409 Conflict: Unable to delete an action bound to a trigger." unless forced.
          if (bound > 0 && !options.force)
            throw new ConflictError('Unable to delete an action bound to a trigger.');
          await tx.triggerBinding.deleteMany({ where: { tenantId, actionId } });
          await tx.action.delete({ where: { id: actionId, tenantId } });
        });
      } catch (error) {
        if (isGone(error)) throw notFound(error);
        throw error;
      }
    },

    async draft(tenantId, actionId) {
      const row = await prisma.action.findFirst({ where: { id: actionId, tenantId } });
      if (row === null) return undefined;
      const secrets = openSecrets(box, tenantId, actionId, row.secretsEncrypted);
      return { code: row.code, secrets: Object.fromEntries(secrets.map((s) => [s.name, s.value])) };
    },
  };
}
