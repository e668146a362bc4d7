import { ConflictError, NotFoundError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { lockAction } from './action-locks.ts';
import { type ActionVersionRecord, toVersionRecord } from './action-records.ts';
import { isForeignKeyViolation, isRecordNotFound } from './errors.ts';

export interface DeployResult {
  versionId: string;
  number: number;
  version: ActionVersionRecord;
}

type Snapshot = Pick<
  Prisma.ActionVersionUncheckedCreateInput,
  'code' | 'runtime' | 'supportedTriggers' | 'dependencies' | 'secretsEncrypted'
>;

/**
 * Deployed versions: immutable snapshots, numbered 1, 2, … per action, exactly one of them deployed
 * once the action was deployed at all. Every change is one transaction under the action's lock.
 */
export function createActionVersions(prisma: PrismaClient, box: SecretBox) {
  const notFound = (cause?: unknown) => new NotFoundError('action not found', { cause });

  /**
   * The action deleted under the write (P2025: the row to change is gone; P2003: the new version
   * would point at it) is a 404, not a 500. The action lock, which delete takes too, makes this
   * unlikely.
   */
  async function orGone<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (isRecordNotFound(error) || isForeignKeyViolation(error)) throw notFound(error);
      throw error;
    }
  }

  /** Adds `snapshot` as the next version and makes it the deployed one (inside `tx`, lock held). */
  async function addDeployed(
    tx: Prisma.TransactionClient,
    tenantId: string,
    actionId: string,
    snapshot: Snapshot,
  ) {
    const last = await tx.actionVersion.findFirst({
      where: { actionId },
      orderBy: { number: 'desc' },
      select: { number: true },
    });
    const number = (last?.number ?? 0) + 1;
    await tx.actionVersion.updateMany({ where: { actionId, deployed: true }, data: { deployed: false } });
    const version = await tx.actionVersion.create({
      data: { tenantId, actionId, number, ...snapshot, deployed: true },
    });
    await tx.action.update({ where: { id: actionId, tenantId }, data: { deployedVersionId: version.id } });
    return { versionId: version.id, number, version: toVersionRecord(box, tenantId, version) };
  }

  return {
    addDeployed,

    /**
     * Snapshots the draft as a new version and makes it the deployed one. With `ifCode`, only if the
     * draft's code is still the code the caller checked (ConflictError otherwise): a deploy never
     * ships code that skipped the check because an edit landed in between.
     */
    async deploy(
      tenantId: string,
      actionId: string,
      options: { ifCode?: string } = {},
    ): Promise<DeployResult> {
      const deploy = prisma.$transaction(async (tx) => {
        await lockAction(tx, tenantId, actionId);
        const action = await tx.action.findFirst({ where: { id: actionId, tenantId } });
        if (action === null) throw notFound();
        if (options.ifCode !== undefined && action.code !== options.ifCode)
          throw new ConflictError('the action changed while it was being checked; deploy it again');
        return addDeployed(tx, tenantId, actionId, {
          code: action.code,
          runtime: action.runtime,
          supportedTriggers: action.supportedTriggers ?? [],
          dependencies: action.dependencies ?? [],
          secretsEncrypted: action.secretsEncrypted,
        });
      });
      return orGone(deploy);
    },

    /**
     * Auth0's roll back: a NEW deployed version identical to `versionId` (code, runtime,
     * dependencies and the secrets it had: secrets are tied to versions); the old one stays as it
     * was. With `updateDraft`, the draft becomes that version too.
     */
    async rollback(
      tenantId: string,
      actionId: string,
      versionId: string,
      options: { updateDraft?: boolean } = {},
    ): Promise<DeployResult> {
      const rollback = prisma.$transaction(async (tx) => {
        await lockAction(tx, tenantId, actionId);
        const old = await tx.actionVersion.findFirst({ where: { id: versionId, actionId, tenantId } });
        if (old === null) throw new NotFoundError('action version not found');
        const snapshot: Snapshot = {
          code: old.code,
          runtime: old.runtime,
          supportedTriggers: old.supportedTriggers ?? [],
          dependencies: old.dependencies ?? [],
          secretsEncrypted: old.secretsEncrypted,
        };
        const deployed = await addDeployed(tx, tenantId, actionId, snapshot);
        if (options.updateDraft)
          await tx.action.update({ where: { id: actionId, tenantId }, data: snapshot });
        return deployed;
      });
      return orGone(rollback);
    },

    /** Newest first, as Auth0 lists them; NotFoundError for an action not in the tenant. */
    async versions(
      tenantId: string,
      actionId: string,
      page: { skip: number; take: number },
    ): Promise<{ versions: ActionVersionRecord[]; total: number }> {
      const action = await prisma.action.findFirst({
        where: { id: actionId, tenantId },
        select: { id: true },
      });
      if (action === null) throw notFound();
      const where = { actionId, tenantId };
      const [rows, total] = await Promise.all([
        prisma.actionVersion.findMany({
          where,
          orderBy: { number: 'desc' },
          skip: page.skip,
          take: page.take,
        }),
        prisma.actionVersion.count({ where }),
      ]);
      return { versions: rows.map((row) => toVersionRecord(box, tenantId, row)), total };
    },

    async version(
      tenantId: string,
      actionId: string,
      versionId: string,
    ): Promise<ActionVersionRecord | undefined> {
      const row = await prisma.actionVersion.findFirst({ where: { id: versionId, actionId, tenantId } });
      return row === null ? undefined : toVersionRecord(box, tenantId, row);
    },
  };
}
