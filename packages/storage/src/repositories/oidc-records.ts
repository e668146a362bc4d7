import type { OidcRecord as OidcRecordRow, PrismaClient } from '../generated/prisma/client.ts';
import { isUniqueViolation } from './errors.ts';
import {
  type FamilyListQuery,
  type FamilyPage,
  familyIdOf,
  type RefreshTokenFamily,
  refreshTokenFamilyQueries,
} from './refresh-token-families.ts';

/** What oidc-provider hands its adapter: a JSON object, opaque here except for the indexed members. */
export type OidcPayload = Record<string, unknown>;

/**
 * The durable half of oidc-provider's adapter (Grant, RefreshToken…): one row per (tenant, model, id).
 * Expiry is enforced on read, not only by the sweep: an expired row still stored is never returned,
 * so correctness does not depend on how often `deleteExpired` runs.
 */
export interface OidcRecordRepository {
  /**
   * Stores `grantId`, `uid`, `userCode` and `accountId` of the payload, and a refresh token's family
   * (familyIdOf), as indexed columns; `consumed` is kept.
   */
  upsert(
    tenantId: string,
    model: string,
    id: string,
    payload: OidcPayload,
    expiresInSeconds?: number,
  ): Promise<void>;
  /** The payload, with `consumed` (epoch seconds) once consumed; undefined when absent or expired. */
  find(tenantId: string, model: string, id: string): Promise<OidcPayload | undefined>;
  findByUid(tenantId: string, model: string, uid: string): Promise<OidcPayload | undefined>;
  findByUserCode(tenantId: string, model: string, userCode: string): Promise<OidcPayload | undefined>;
  /**
   * Compare-and-set: true for exactly one caller, however many race (oidc-provider's own check of
   * `consumed` is a read followed by a write, so two redemptions could both pass it).
   */
  consume(tenantId: string, model: string, id: string): Promise<boolean>;
  /**
   * Marks a rotated refresh token used once its successor is about to be answered (docs/oidc.md#rotation-and-the-reuse-interval).
   * True when it was unused, or when it was used less than `reuseIntervalSeconds` ago and none of its
   * successors (the tokens whose payload names it `rotatedFrom`) has been exchanged since (Auth0's
   * reuse interval: only the previous generation of its own chain may be presented again, and the
   * first use's time is kept, so the window never slides). False means
   * reuse: the caller revokes the family. One statement, so concurrent exchanges of one token without
   * an interval get exactly one true.
   */
  consumeRotated(tenantId: string, id: string, reuseIntervalSeconds: number): Promise<boolean>;
  /**
   * Replaces the payload and expiry of a record that still exists and has not expired; false when it
   * does not. Unlike `upsert` it never creates one: a record revoked meanwhile stays revoked.
   */
  update(
    tenantId: string,
    model: string,
    id: string,
    payload: OidcPayload,
    expiresInSeconds: number,
  ): Promise<boolean>;
  /**
   * Merges `patch` into the object at `payload[field]` of a live record (top-level keys of that object
   * replaced) and, with `exp` (epoch seconds), moves its expiry there (`payload.exp`, the row's, and
   * `payload[field].idleExpiresAt`), never past `payload[field].expiresAt` as stored at that moment;
   * in one statement, never creating a record. False when there is none.
   */
  mergeIntoPayload(
    tenantId: string,
    model: string,
    id: string,
    field: string,
    patch: Record<string, unknown>,
    exp?: number,
  ): Promise<boolean>;
  destroy(tenantId: string, model: string, id: string): Promise<void>;
  /** Every record of the grant, whatever its model (RFC 6749 §4.1.2: revoke what a reused code issued). */
  revokeByGrantId(tenantId: string, grantId: string): Promise<void>;
  /** The periodic sweep, across tenants: removes rows expired before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
  /**
   * A user's live refresh-token families, by id (bytewise ascending), a page at a time: Auth0's
   * checkpoint paging (`from` exclusive, `take`), optionally for one client only.
   */
  listRefreshTokenFamilies(tenantId: string, userId: string, query: FamilyListQuery): Promise<FamilyPage>;
  /** A live family by its id (never by a token); undefined when it has no live token left. */
  findRefreshTokenFamily(tenantId: string, familyId: string): Promise<RefreshTokenFamily | undefined>;
  /** Revokes a family: every token of it, used or not. Returns how many records were removed. */
  deleteRefreshTokenFamily(tenantId: string, familyId: string): Promise<number>;
  /** Revokes every refresh token of a user. Returns how many records were removed. */
  deleteRefreshTokensOf(tenantId: string, userId: string): Promise<number>;
}

export function createOidcRecordRepository(prisma: PrismaClient): OidcRecordRepository {
  const live = () => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] });
  const findWhere = async (where: {
    tenantId: string;
    model: string;
    id?: string;
    uid?: string;
    userCode?: string;
  }) => {
    const row = await prisma.oidcRecord.findFirst({ where: { ...where, ...live() } });
    return row ? toPayload(row) : undefined;
  };

  const families = refreshTokenFamilyQueries(prisma);

  return {
    async upsert(tenantId, model, id, payload, expiresInSeconds) {
      const indexed = {
        payload: payload as object,
        grantId: stringOrNull(payload.grantId),
        uid: stringOrNull(payload.uid),
        userCode: stringOrNull(payload.userCode),
        accountId: stringOrNull(payload.accountId),
        familyId: familyIdOf(model, id, payload),
        expiresAt: expiresInSeconds === undefined ? null : new Date(Date.now() + expiresInSeconds * 1000),
      };
      // consumedAt is left as it is: re-saving a consumed record must not make it redeemable again.
      const where = { tenantId_model_id: { tenantId, model, id } };
      try {
        await prisma.oidcRecord.upsert({
          where,
          create: { tenantId, model, id, ...indexed },
          update: indexed,
        });
      } catch (error) {
        // Two first saves raced (Prisma's upsert may be a read then an insert): the loser updates.
        if (!isUniqueViolation(error)) throw error;
        await prisma.oidcRecord.update({ where, data: indexed });
      }
    },
    find: (tenantId, model, id) => findWhere({ tenantId, model, id }),
    findByUid: (tenantId, model, uid) => findWhere({ tenantId, model, uid }),
    findByUserCode: (tenantId, model, userCode) => findWhere({ tenantId, model, userCode }),
    async consume(tenantId, model, id) {
      // One UPDATE whose condition includes `consumed_at IS NULL`: a concurrent second UPDATE waits
      // for the first's row lock, re-checks the condition against the committed row and matches nothing.
      const count = await prisma.$executeRaw`
        UPDATE oidc_records SET consumed_at = now()
         WHERE tenant_id = ${tenantId} AND model = ${model} AND id = ${id}
           AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ${new Date()})`;
      return count === 1;
    },
    async consumeRotated(tenantId, id, reuseIntervalSeconds) {
      // clock_timestamp(), not now(): a waiting second UPDATE re-checks the row against the time it
      // runs, not the time its statement started (which may precede the first one's write).
      const count = await prisma.$executeRaw`
        UPDATE oidc_records r SET consumed_at = COALESCE(r.consumed_at, clock_timestamp())
         WHERE r.tenant_id = ${tenantId} AND r.model = 'RefreshToken' AND r.id = ${id}
           AND (r.expires_at IS NULL OR r.expires_at > clock_timestamp())
           AND (r.consumed_at IS NULL
             OR (${reuseIntervalSeconds}::int > 0
               AND r.consumed_at > clock_timestamp() - make_interval(secs => ${reuseIntervalSeconds}::int)
               AND NOT EXISTS (
                 SELECT 1 FROM oidc_records s
                  WHERE s.tenant_id = r.tenant_id AND s.grant_id = r.grant_id AND s.model = 'RefreshToken'
                    AND s.payload->>'rotatedFrom' = r.id AND s.consumed_at IS NOT NULL)))`;
      return count === 1;
    },
    async update(tenantId, model, id, payload, expiresInSeconds) {
      const now = new Date();
      const { count } = await prisma.oidcRecord.updateMany({
        where: { tenantId, model, id, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        data: {
          payload: payload as object,
          expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
        },
      });
      return count === 1;
    },
    async mergeIntoPayload(tenantId, model, id, field, patch, exp) {
      const json = JSON.stringify(patch);
      const count =
        exp === undefined
          ? await prisma.$executeRaw`
              UPDATE oidc_records
                 SET payload = jsonb_set(payload, ARRAY[${field}]::text[],
                       COALESCE(payload -> ${field}, '{}'::jsonb) || ${json}::jsonb)
               WHERE tenant_id = ${tenantId} AND model = ${model} AND id = ${id}
                 AND (expires_at IS NULL OR expires_at > now())`
          : // The new end never passes the end the stored object holds now (`expiresAt`, which a
            // concurrent request may just have lowered): SET reads the row as it was.
            await prisma.$executeRaw`
              UPDATE oidc_records
                 SET payload = jsonb_set(
                       jsonb_set(
                         jsonb_set(payload, ARRAY[${field}]::text[],
                           COALESCE(payload -> ${field}, '{}'::jsonb) || ${json}::jsonb),
                         ARRAY[${field}, 'idleExpiresAt']::text[],
                         to_jsonb(LEAST(${exp}::bigint,
                           COALESCE((payload -> ${field} ->> 'expiresAt')::bigint, ${exp}::bigint)))),
                       '{exp}',
                       to_jsonb(LEAST(${exp}::bigint,
                         COALESCE((payload -> ${field} ->> 'expiresAt')::bigint, ${exp}::bigint)))),
                     expires_at = to_timestamp(LEAST(${exp}::bigint,
                       COALESCE((payload -> ${field} ->> 'expiresAt')::bigint, ${exp}::bigint)))
               WHERE tenant_id = ${tenantId} AND model = ${model} AND id = ${id}
                 AND (expires_at IS NULL OR expires_at > now())`;
      return count === 1;
    },
    async destroy(tenantId, model, id) {
      await prisma.oidcRecord.deleteMany({ where: { tenantId, model, id } });
    },
    async revokeByGrantId(tenantId, grantId) {
      await prisma.oidcRecord.deleteMany({ where: { tenantId, grantId } });
    },
    async deleteExpired(before) {
      const { count } = await prisma.oidcRecord.deleteMany({ where: { expiresAt: { lt: before } } });
      return count;
    },
    listRefreshTokenFamilies: families.listFamilies,
    findRefreshTokenFamily: families.findFamily,
    deleteRefreshTokenFamily: families.deleteFamily,
    deleteRefreshTokensOf: families.deleteRefreshTokensOf,
  };
}

function toPayload(row: OidcRecordRow): OidcPayload {
  const payload = row.payload as OidcPayload;
  // oidc-provider treats a truthy `consumed` as "already used"; it stores epoch seconds itself.
  return row.consumedAt ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) } : payload;
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
