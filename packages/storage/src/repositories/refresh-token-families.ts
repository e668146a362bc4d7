import { createHash } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * What Tessera adds to a stored refresh token (`payload.tessera`): the rotation family every
 * successor inherits, and the family's history. Absent on tokens issued before Tessera wrote it.
 * Times in epoch seconds.
 */
export interface RefreshTokenTessera {
  /** The family's stable id: the Management API's refresh-token id and `event.refresh_token.id`. */
  family: string;
  /** When the family's first token was issued. */
  createdAt: number;
  rotating: boolean;
  /** The family's absolute end. */
  expiresAt: number;
  /** This token's end (its `exp`). */
  idleExpiresAt: number;
  lastExchangedAt?: number;
  device: {
    initialIp?: string;
    initialUserAgent?: string;
    lastIp?: string;
    lastUserAgent?: string;
  };
}

/**
 * A rotation family as an administrator sees it: the fields of its newest live token, never the
 * token itself (the record's id, and the `rotatedFrom` of a successor, are bearer credentials).
 */
export interface RefreshTokenFamily {
  /** `tessera.family`, or for an older token one derived from it (familyIdOf). */
  id: string;
  userId: string;
  clientId: string | undefined;
  /** The uid of the session the family was issued in (the Management API's session id). */
  sessionId: string | undefined;
  grantId: string | undefined;
  scope: string | undefined;
  /** The API (resource indicator) the family's access tokens are for. */
  audience: string | undefined;
  /** Epoch seconds: this token's issue, the family's first issue (`iiat`), this token's end. */
  issuedAt: number | undefined;
  familyIssuedAt: number | undefined;
  expiresAt: number | undefined;
  tessera: Partial<RefreshTokenTessera> | undefined;
}

export interface FamilyPage {
  families: RefreshTokenFamily[];
  /** The id the next page starts after (checkpoint paging); absent on the last page. */
  next?: string;
}

export interface FamilyListQuery {
  /** Exclusive: families whose id sorts after this one. */
  from?: string;
  take: number;
  clientId?: string;
}

/**
 * The family id stored for a record (the `family_id` column): `tessera.family`, or, for a refresh
 * token issued before families were named, the first 32 hex digits of the SHA-256 of its id, which
 * names it without revealing it (the migration computes the same for rows already stored).
 */
export function familyIdOf(model: string, id: string, payload: Record<string, unknown>): string | null {
  if (model !== 'RefreshToken') return null;
  const family = (payload.tessera as { family?: unknown } | undefined)?.family;
  if (typeof family === 'string' && family !== '') return family;
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32);
}

interface FamilyRow {
  family_id: string;
  account_id: string;
  payload: Record<string, unknown>;
}

/**
 * The family queries of the oidc-records repository. A family's current token is its newest live
 * row not yet consumed; during a reuse interval two siblings may both be unconsumed, and the family
 * is still shown once (DISTINCT ON, newest first). Ids sort bytewise (`COLLATE "C"`), so checkpoint
 * pages are the same on every database whatever its default collation.
 */
export function refreshTokenFamilyQueries(prisma: PrismaClient) {
  return {
    async listFamilies(tenantId: string, userId: string, query: FamilyListQuery): Promise<FamilyPage> {
      const from = query.from ?? null;
      const clientId = query.clientId ?? null;
      const rows = await prisma.$queryRaw<FamilyRow[]>`
        SELECT DISTINCT ON (family_id COLLATE "C") family_id, account_id, payload
          FROM oidc_records
         WHERE tenant_id = ${tenantId} AND model = 'RefreshToken' AND account_id = ${userId}
           AND family_id IS NOT NULL AND consumed_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())
           AND (${from}::text IS NULL OR family_id COLLATE "C" > ${from}::text COLLATE "C")
           AND (${clientId}::text IS NULL OR payload->>'clientId' = ${clientId}::text)
         ORDER BY family_id COLLATE "C", created_at DESC
         LIMIT ${query.take + 1}::int`;
      const families = rows.slice(0, query.take).map(toFamily);
      const more = rows.length > query.take;
      return more ? { families, next: families.at(-1)!.id } : { families };
    },

    async findFamily(tenantId: string, familyId: string): Promise<RefreshTokenFamily | undefined> {
      const rows = await prisma.$queryRaw<FamilyRow[]>`
        SELECT family_id, account_id, payload
          FROM oidc_records
         WHERE tenant_id = ${tenantId} AND model = 'RefreshToken' AND family_id = ${familyId}
           AND account_id IS NOT NULL AND consumed_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())
         ORDER BY created_at DESC
         LIMIT 1`;
      return rows[0] ? toFamily(rows[0]) : undefined;
    },

    async deleteFamily(tenantId: string, familyId: string): Promise<number> {
      const { count } = await prisma.oidcRecord.deleteMany({
        where: { tenantId, model: 'RefreshToken', familyId },
      });
      return count;
    },

    async deleteRefreshTokensOf(tenantId: string, userId: string): Promise<number> {
      const { count } = await prisma.oidcRecord.deleteMany({
        where: { tenantId, model: 'RefreshToken', accountId: userId },
      });
      return count;
    },
  };
}

function toFamily(row: FamilyRow): RefreshTokenFamily {
  const p = row.payload;
  return {
    id: row.family_id,
    userId: row.account_id,
    clientId: text(p.clientId),
    sessionId: text(p.sessionUid),
    grantId: text(p.grantId),
    scope: text(p.scope),
    audience: text(p.resource),
    issuedAt: epoch(p.iat),
    familyIssuedAt: epoch(p.iiat),
    expiresAt: epoch(p.exp),
    tessera: tesseraOf(p.tessera),
  };
}

/** The stored `tessera` member, keeping only values of the declared types (the payload is JSON). */
function tesseraOf(raw: unknown): Partial<RefreshTokenTessera> | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const t = raw as Record<string, unknown>;
  const device = (t.device ?? {}) as Record<string, unknown>;
  return {
    family: text(t.family),
    createdAt: epoch(t.createdAt),
    rotating: typeof t.rotating === 'boolean' ? t.rotating : undefined,
    expiresAt: epoch(t.expiresAt),
    idleExpiresAt: epoch(t.idleExpiresAt),
    lastExchangedAt: epoch(t.lastExchangedAt),
    device: {
      initialIp: text(device.initialIp),
      initialUserAgent: text(device.initialUserAgent),
      lastIp: text(device.lastIp),
      lastUserAgent: text(device.lastUserAgent),
    },
  };
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const epoch = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
