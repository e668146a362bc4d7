import { ACTION_LIMITS, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { lockBindings } from './action-locks.ts';
import { type ActionRecord, type ActionTriggerRef, toActionRecord, WITH_DEPLOYED } from './action-records.ts';
import { openSecrets } from './action-secrets.ts';

/**
 * One entry of a trigger's new list: the action by id, by name, or as the action of one of the
 * trigger's current bindings (Auth0's `binding_id` refs); and the name the flow shows.
 */
export interface BindingRef {
  actionId?: string;
  actionName?: string;
  bindingId?: string;
  displayName?: string;
}

export interface BindingRecord {
  id: string;
  triggerId: string;
  displayName: string;
  action: ActionRecord;
  createdAt: Date;
  updatedAt: Date;
}

/** A bound, deployed action as the trigger runs it, secrets decrypted for the sandbox. */
export interface DeployedAction {
  id: string;
  name: string;
  versionId: string;
  code: string;
  secrets: Record<string, string>;
}

/** Trigger bindings (Auth0 "flows"): each trigger's ordered list of deployed actions. */
export function createActionBindings(prisma: PrismaClient, box: SecretBox) {
  const withAction = { action: { include: WITH_DEPLOYED } } as const;

  /**
   * Replaces the trigger's whole ordered list inside `tx`, under the tenant's binding lock:
   * every entry must name an action of the tenant (NotFoundError), deployed, supporting the trigger
   * and bound once (InvalidRequestError); otherwise nothing changes.
   */
  async function write(
    tx: Prisma.TransactionClient,
    tenantId: string,
    triggerId: string,
    refs: BindingRef[],
  ) {
    if (refs.length > ACTION_LIMITS.bound)
      throw new InvalidRequestError(`a trigger may bind at most ${ACTION_LIMITS.bound} actions`);
    await lockBindings(tx, tenantId);
    const current = await tx.triggerBinding.findMany({ where: { tenantId, triggerId } });
    const byBinding = (id: string) => current.find((b) => b.id === id)?.actionId;
    refs = refs.map((ref) =>
      ref.bindingId === undefined
        ? ref
        : { ...ref, actionId: byBinding(ref.bindingId) ?? `binding ${ref.bindingId}` },
    );
    const ids = refs.flatMap((r) => (r.actionId === undefined ? [] : [r.actionId]));
    const names = refs.flatMap((r) => (r.actionName === undefined ? [] : [r.actionName]));
    const actions = await tx.action.findMany({
      where: { tenantId, OR: [{ id: { in: ids } }, { name: { in: names } }] },
    });
    const resolved = refs.map((ref) => {
      const action = actions.find((a) =>
        ref.actionId !== undefined ? a.id === ref.actionId : a.name === ref.actionName,
      );
      if (action === undefined) throw new NotFoundError(`action ${ref.actionId ?? ref.actionName} not found`);
      if (action.deployedVersionId === null)
        throw new InvalidRequestError(`action ${action.name} is not deployed`);
      const triggers = action.supportedTriggers as unknown as ActionTriggerRef[];
      if (!triggers.some((t) => t.id === triggerId))
        throw new InvalidRequestError(`action ${action.name} does not support ${triggerId}`);
      return { action, displayName: ref.displayName ?? action.name };
    });
    const seen = new Set<string>();
    for (const { action } of resolved) {
      if (seen.has(action.id)) throw new InvalidRequestError(`action ${action.name} is bound twice`);
      seen.add(action.id);
    }
    await tx.triggerBinding.deleteMany({ where: { tenantId, triggerId } });
    await tx.triggerBinding.createMany({
      data: resolved.map(({ action, displayName }, position) => ({
        tenantId,
        triggerId,
        actionId: action.id,
        position,
        displayName,
      })),
    });
  }

  /** `write` in its own transaction, answering with the new list. */
  async function replace(tenantId: string, triggerId: string, refs: BindingRef[]): Promise<BindingRecord[]> {
    return prisma.$transaction(async (tx) => {
      await write(tx, tenantId, triggerId, refs);
      const rows = await tx.triggerBinding.findMany({
        where: { tenantId, triggerId },
        orderBy: { position: 'asc' },
        include: withAction,
      });
      return rows.map((row) => toBinding(tenantId, row));
    });
  }

  const toBinding = (
    tenantId: string,
    row: { id: string; triggerId: string; displayName: string; createdAt: Date; updatedAt: Date } & {
      action: Parameters<typeof toActionRecord>[2];
    },
  ): BindingRecord => ({
    id: row.id,
    triggerId: row.triggerId,
    displayName: row.displayName,
    action: toActionRecord(box, tenantId, row.action),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  return {
    replace,

    /** The ids-only form `tessera actions deploy` uses: each action shown under its own name. */
    async bind(tenantId: string, triggerId: string, actionIds: string[]): Promise<void> {
      const refs = actionIds.map((actionId) => ({ actionId }));
      await prisma.$transaction((tx) => write(tx, tenantId, triggerId, refs));
    },

    async list(
      tenantId: string,
      triggerId: string,
      page: { skip: number; take: number },
    ): Promise<{ bindings: BindingRecord[]; total: number }> {
      const where = { tenantId, triggerId };
      const [rows, total] = await Promise.all([
        prisma.triggerBinding.findMany({
          where,
          orderBy: { position: 'asc' },
          skip: page.skip,
          take: page.take,
          include: withAction,
        }),
        prisma.triggerBinding.count({ where }),
      ]);
      return { bindings: rows.map((row) => toBinding(tenantId, row)), total };
    },

    async bindings(tenantId: string, triggerId: string): Promise<string[]> {
      const rows = await prisma.triggerBinding.findMany({
        where: { tenantId, triggerId },
        orderBy: { position: 'asc' },
        select: { actionId: true },
      });
      return rows.map((row) => row.actionId);
    },

    async deployedForTrigger(tenantId: string, triggerId: string): Promise<DeployedAction[]> {
      const bindings = await prisma.triggerBinding.findMany({
        where: { tenantId, triggerId },
        orderBy: { position: 'asc' },
        include: { action: { include: { deployedVersion: true } } },
      });
      return bindings.flatMap(({ action }) => {
        const version = action.deployedVersion;
        if (version === null) return [];
        const secrets = Object.fromEntries(
          openSecrets(box, tenantId, action.id, version.secretsEncrypted).map((s) => [s.name, s.value]),
        );
        return [{ id: action.id, name: action.name, versionId: version.id, code: version.code, secrets }];
      });
    },
  };
}
