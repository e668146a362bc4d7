import { createHash, createPrivateKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { InvalidRequestError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { PrismaClient, SigningKey as SigningKeyRow } from '../generated/prisma/client.ts';

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
export type KeyUse = 'sig' | 'cookie';
/** Rotation: `next` (published, not used) → `current` (signs) → `previous` (published, verifies) → `revoked`. */
export type KeyState = 'next' | 'current' | 'previous' | 'revoked';

export interface SigningKey {
  id: string;
  kid: string;
  alg: SigningAlg;
  use: KeyUse;
  state: KeyState;
  /** What the JWKS publishes: the public members plus `kid`, `alg` and `use`. */
  publicJwk: JsonWebKey & { kid: string; alg: SigningAlg };
  /** Parsed once and cached: parsing PEM per signature would cost ~0.5 ms each. */
  privateKey: KeyObject;
  certificate: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface SigningKeyRepository {
  create(tenantId: string, input: { alg: SigningAlg; use: KeyUse; state: KeyState }): Promise<SigningKey>;
  /** Every key of the tenant, oldest first, private keys decrypted. */
  list(tenantId: string): Promise<SigningKey[]>;
}

export function createSigningKeyRepository(prisma: PrismaClient, secretBox: SecretBox): SigningKeyRepository {
  // Row id → private key: rows never change their key material, so the cache cannot go stale.
  const privateKeys = new Map<string, KeyObject>();
  const purpose = (tenantId: string) => `signing_key:${tenantId}`;

  const toSigningKey = (row: SigningKeyRow): SigningKey => {
    let privateKey = privateKeys.get(row.id);
    if (!privateKey) {
      const pem = secretBox.decrypt(row.privateKeyEncrypted, purpose(row.tenantId));
      privateKey = createPrivateKey(pem);
      privateKeys.set(row.id, privateKey);
    }
    return {
      id: row.id,
      kid: row.kid,
      alg: row.alg as SigningAlg,
      use: row.use as KeyUse,
      state: row.state as KeyState,
      publicJwk: row.publicJwk as SigningKey['publicJwk'],
      privateKey,
      certificate: row.certificate,
      createdAt: row.createdAt,
      activatedAt: row.activatedAt,
      rotatedAt: row.rotatedAt,
      revokedAt: row.revokedAt,
    };
  };

  return {
    async create(tenantId, { alg, use, state }) {
      if (!SIGNING_ALGS.includes(alg)) throw new InvalidRequestError(`unsupported signing algorithm ${alg}`);
      const { publicKey, privateKey } = await generateFor(alg);
      const jwk = publicKey.export({ format: 'jwk' });
      const kid = jwkThumbprint(jwk);
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const row = await prisma.signingKey.create({
        data: {
          tenantId,
          kid,
          alg,
          use,
          state,
          publicJwk: { ...jwk, kid, alg, ...(use === 'sig' ? { use } : {}) },
          privateKeyEncrypted: secretBox.encrypt(pem, purpose(tenantId)),
          activatedAt: state === 'current' ? new Date() : null,
        },
      });
      privateKeys.set(row.id, privateKey);
      return toSigningKey(row);
    },
    async list(tenantId) {
      const rows = await prisma.signingKey.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
      return rows.map(toSigningKey);
    },
  };
}

/** RFC 7638 §3: SHA-256 over the required members, in lexicographic order, without whitespace. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const required: Record<string, string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
  };
  const members = required[String(jwk.kty)];
  if (!members) throw new Error(`no thumbprint rule for key type ${jwk.kty}`);
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Off the event loop: an RSA-2048 key takes tens of milliseconds to generate. */
function generateFor(alg: SigningAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve({ publicKey, privateKey });
    if (alg === 'RS256') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('ed25519', {}, done);
  });
}
