import type { JsonWebKey, KeyObject } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Prisma, PrismaClient, SigningKey as SigningKeyRow } from '../generated/prisma/client.ts';
import { LOCKS, lockInTransaction } from '../locks.ts';
import {
  COOKIE_ALG,
  type CookieAlg,
  type NewKeyMaterial,
  newKeyMaterial,
  type OpenedKey,
  openKeyMaterial,
  type PrivateJwk,
  SIGNING_ALGS,
  type SigningAlg,
} from './key-material.ts';

export { COOKIE_ALG, type CookieAlg, jwkThumbprint, SIGNING_ALGS, type SigningAlg } from './key-material.ts';

// The key lifecycle: creation, listing in signing order, rotation with overlap, retirement and
// revocation. Longer than most repositories because rotation must be one serialised transaction;
// what a key is (generation, sealing) lives in key-material.ts.

export type KeyUse = 'sig' | 'cookie';
/** Rotation: `next` (published, not used) → `current` (signs) → `previous` (published, verifies) → `revoked`. */
export type KeyState = 'next' | 'current' | 'previous' | 'revoked';
const KEY_STATES: readonly KeyState[] = ['current', 'next', 'previous', 'revoked'];

interface KeyCommon {
  id: string;
  kid: string;
  state: KeyState;
  /** Parsed once and cached: parsing PEM per signature would cost ~0.5 ms each. */
  privateKey: KeyObject;
  certificate: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

/** An asymmetric key that signs tokens and assertions. */
export interface TokenSigningKey extends KeyCommon {
  use: 'sig';
  alg: SigningAlg;
  /** What the JWKS publishes: the public members plus `kid`, `alg` and `use`. */
  publicJwk: JsonWebKey & { kid: string; alg: SigningAlg };
  /** The private key as a JWK with `kid`, `alg` and `use`: what oidc-provider's `jwks` option takes. */
  privateJwk: PrivateJwk;
  secret?: undefined;
}

/** A symmetric cookie-signing secret (`privateKey` is the same secret as a KeyObject); never published. */
export interface CookieKey extends KeyCommon {
  use: 'cookie';
  alg: CookieAlg;
  secret: Buffer;
  publicJwk?: undefined;
  privateJwk?: undefined;
}

export type SigningKey = TokenSigningKey | CookieKey;

export interface SigningKeyRepository {
  create(tenantId: string, input: { alg: SigningAlg; use: 'sig'; state: KeyState }): Promise<TokenSigningKey>;
  create(tenantId: string, input: { alg: CookieAlg; use: 'cookie'; state: KeyState }): Promise<CookieKey>;
  /**
   * The tenant's keys ordered current, next, previous (newest first within a state): oidc-provider
   * signs with the first key of an algorithm. Revoked keys only when asked for, last.
   */
  list(tenantId: string, options?: { includeRevoked?: boolean }): Promise<SigningKey[]>;
  /**
   * `keysStamp` of the tenant's usable keys, read without decrypting anything: a cheap way for a
   * cache of built providers to notice a rotation made by another process.
   */
  stamp(tenantId: string): Promise<string>;
  /**
   * One overlap rotation of `use`, in one transaction: `next` (or a new key) becomes `current`, the
   * old `current` becomes `previous`, a new `next` is published. `alg` is the new next key's
   * algorithm (default: that of the key becoming current; cookie keys are always HS256), so an
   * algorithm change is published a rotation before it signs. With `retentionSeconds`,
   * previous keys rotated out longer ago than that are revoked too. Returns `list` for `use`.
   */
  rotate(
    tenantId: string,
    use: KeyUse,
    options?: { alg?: SigningAlg; retentionSeconds?: number },
  ): Promise<SigningKey[]>;
  /** Revokes `previous` keys rotated out before `olderThan` (of one use, or all); returns how many. */
  retire(tenantId: string, olderThan: Date, use?: KeyUse): Promise<number>;
  /** NotFoundError for an unknown kid; InvalidRequestError for the only current key of its use. */
  revoke(tenantId: string, kid: string): Promise<SigningKey>;
}

export function createSigningKeyRepository(prisma: PrismaClient, secretBox: SecretBox): SigningKeyRepository {
  // Row id → opened key material: rows never change their key material, so the cache cannot go stale.
  const opened = new Map<string, OpenedKey>();

  const toSigningKey = (row: SigningKeyRow): SigningKey => {
    let material = opened.get(row.id);
    if (!material) {
      material = openKeyMaterial(secretBox, row);
      opened.set(row.id, material);
    }
    const common = {
      id: row.id,
      kid: row.kid,
      state: row.state as KeyState,
      privateKey: material.privateKey,
      certificate: row.certificate,
      createdAt: row.createdAt,
      activatedAt: row.activatedAt,
      rotatedAt: row.rotatedAt,
      revokedAt: row.revokedAt,
    };
    if (row.use === 'cookie') return { ...common, use: 'cookie', alg: COOKIE_ALG, secret: material.secret! };
    return {
      ...common,
      use: 'sig',
      alg: row.alg as SigningAlg,
      publicJwk: row.publicJwk as TokenSigningKey['publicJwk'],
      privateJwk: material.privateJwk!,
    };
  };

  const insert = async (
    db: Prisma.TransactionClient | PrismaClient,
    tenantId: string,
    use: KeyUse,
    state: KeyState,
    key: NewKeyMaterial,
  ) => {
    const row = await db.signingKey.create({
      data: {
        tenantId,
        kid: key.kid,
        alg: key.alg,
        use,
        state,
        publicJwk: key.publicJwk as object,
        privateKeyEncrypted: key.sealed,
        activatedAt: state === 'current' ? new Date() : null,
      },
    });
    opened.set(row.id, key.opened);
    return row;
  };

  const list = async (tenantId: string, options: { includeRevoked?: boolean; use?: KeyUse } = {}) => {
    const rows = await prisma.signingKey.findMany({
      where: {
        tenantId,
        ...(options.use ? { use: options.use } : {}),
        ...(options.includeRevoked ? {} : { state: { not: 'revoked' } }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    });
    const rank = (row: SigningKeyRow) => KEY_STATES.indexOf(row.state as KeyState);
    return rows.sort((a, b) => rank(a) - rank(b)).map(toSigningKey);
  };

  const retireIn = async (db: Prisma.TransactionClient, tenantId: string, olderThan: Date, use?: KeyUse) => {
    const { count } = await db.signingKey.updateMany({
      where: {
        tenantId,
        state: 'previous',
        ...(use ? { use } : {}),
        OR: [{ rotatedAt: { lt: olderThan } }, { rotatedAt: null, createdAt: { lt: olderThan } }],
      },
      data: { state: 'revoked', revokedAt: new Date() },
    });
    return count;
  };

  // Rotations of one tenant's keys of one use take turns (two at once could leave two current keys).
  const lock = (tx: Prisma.TransactionClient, tenantId: string, use: string) =>
    lockInTransaction(tx, LOCKS.keyRotation, `${tenantId}:${use}`);

  async function create(
    tenantId: string,
    input: { alg: SigningAlg; use: 'sig'; state: KeyState },
  ): Promise<TokenSigningKey>;
  async function create(
    tenantId: string,
    input: { alg: CookieAlg; use: 'cookie'; state: KeyState },
  ): Promise<CookieKey>;
  async function create(
    tenantId: string,
    { alg, use, state }: { alg: SigningAlg | CookieAlg; use: KeyUse; state: KeyState },
  ): Promise<SigningKey> {
    checkAlg(alg, use);
    if (!KEY_STATES.includes(state)) throw new InvalidRequestError(`unknown key state ${state}`);
    const key = await newKeyMaterial(secretBox, tenantId, alg);
    return toSigningKey(await insert(prisma, tenantId, use, state, key));
  }

  return {
    create,
    list: (tenantId, options) => list(tenantId, options),
    async stamp(tenantId) {
      const rows = await prisma.signingKey.findMany({
        where: { tenantId, state: { not: 'revoked' } },
        select: { kid: true, state: true },
      });
      return keysStamp(rows);
    },
    async rotate(tenantId, use, { alg, retentionSeconds } = {}) {
      if (use !== 'sig' && use !== 'cookie') throw new InvalidRequestError(`unknown key use ${use}`);
      if (use === 'cookie' && alg !== undefined) {
        throw new InvalidRequestError('cookie keys are always HS256');
      }
      // Generated before the transaction (RSA takes tens of ms): a new next key always, a new current
      // one when no next key is waiting. Another rotation may change that meanwhile: re-checked below.
      const before = await list(tenantId, { use });
      const current = before.find((k) => k.state === 'current');
      const pending = before.find((k) => k.state === 'next');
      // By default the new next key keeps the algorithm of the key about to become current.
      const nextAlg = use === 'cookie' ? COOKIE_ALG : (alg ?? pending?.alg ?? current?.alg ?? 'RS256');
      checkAlg(nextAlg, use);
      const [newNext, newCurrent] = await Promise.all([
        newKeyMaterial(secretBox, tenantId, nextAlg),
        pending ? undefined : newKeyMaterial(secretBox, tenantId, current?.alg ?? nextAlg),
      ]);

      await prisma.$transaction(async (tx) => {
        await lock(tx, tenantId, use);
        const now = new Date();
        const waiting = await tx.signingKey.findFirst({
          where: { tenantId, use, state: 'next' },
          orderBy: { createdAt: 'asc' },
        });
        // Every current key steps down (normally one; more only if `create` was raced).
        await tx.signingKey.updateMany({
          where: { tenantId, use, state: 'current' },
          data: { state: 'previous', rotatedAt: now },
        });
        if (waiting) {
          await tx.signingKey.update({
            where: { id: waiting.id },
            data: { state: 'current', activatedAt: now },
          });
        } else {
          const key = newCurrent ?? (await newKeyMaterial(secretBox, tenantId, nextAlg));
          await insert(tx, tenantId, use, 'current', key);
        }
        await insert(tx, tenantId, use, 'next', newNext);
        if (retentionSeconds !== undefined) {
          await retireIn(tx, tenantId, new Date(now.getTime() - retentionSeconds * 1000), use);
        }
      });
      return list(tenantId, { use });
    },
    retire: (tenantId, olderThan, use) => prisma.$transaction((tx) => retireIn(tx, tenantId, olderThan, use)),
    async revoke(tenantId, kid) {
      const row = await prisma.$transaction(async (tx) => {
        const key = await tx.signingKey.findUnique({ where: { tenantId_kid: { tenantId, kid } } });
        if (!key) throw new NotFoundError(`no key ${kid}`);
        await lock(tx, tenantId, key.use);
        const fresh = await tx.signingKey.findUniqueOrThrow({ where: { id: key.id } });
        if (fresh.state === 'revoked') return fresh;
        if (fresh.state === 'current') {
          const currents = await tx.signingKey.count({
            where: { tenantId, use: fresh.use, state: 'current' },
          });
          // Nothing would sign: rotate first (the key becomes previous), then revoke it.
          if (currents === 1)
            throw new InvalidRequestError('cannot revoke the only current key; rotate first');
        }
        return tx.signingKey.update({
          where: { id: fresh.id },
          data: { state: 'revoked', revokedAt: new Date() },
        });
      });
      return toSigningKey(row);
    },
  };
}

function checkAlg(alg: string, use: string): void {
  if (use === 'cookie' ? alg !== COOKIE_ALG : !SIGNING_ALGS.includes(alg as SigningAlg)) {
    throw new InvalidRequestError(`unsupported algorithm ${alg} for ${use} keys`);
  }
}

/** Changes whenever a key is added, rotated or revoked (the same for `list` results and `stamp`). */
export function keysStamp(keys: readonly { kid: string; state: string }[]): string {
  return keys
    .filter((key) => key.state !== 'revoked')
    .map((key) => `${key.kid}:${key.state}`)
    .sort()
    .join(',');
}
