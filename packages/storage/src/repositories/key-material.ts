import {
  createHash,
  createPrivateKey,
  createSecretKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { SecretBox } from '../crypto.ts';

// Key material of signing and cookie keys: generation, sealing at rest and opening. The repository
// (signing-keys.ts) only moves keys between states; what a key *is* lives here.

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
/** Cookie keys are symmetric: an HMAC secret (keygrip), never published. */
export const COOKIE_ALG = 'HS256';
export type CookieAlg = typeof COOKIE_ALG;

export type PrivateJwk = JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig' };

/** A freshly generated key, ready to insert (`sealed`) and to hand out (the rest). */
export interface NewKeyMaterial {
  kid: string;
  alg: SigningAlg | CookieAlg;
  /** Stored in `public_jwk`: the published members for signing keys, `{}` for cookie secrets. */
  publicJwk: Record<string, unknown>;
  sealed: string;
  opened: OpenedKey;
}

export interface OpenedKey {
  privateKey: KeyObject;
  privateJwk?: PrivateJwk;
  secret?: Buffer;
}

const COOKIE_SECRET_BYTES = 32;

// Different purposes (the AEAD's additional data), so a sealed cookie secret cannot be passed off as
// a sealed private key, nor one tenant's key as another's.
const purposeOf = (tenantId: string, alg: string) =>
  alg === COOKIE_ALG ? `cookie_key:${tenantId}` : `signing_key:${tenantId}`;

export async function newKeyMaterial(
  secretBox: SecretBox,
  tenantId: string,
  alg: SigningAlg | CookieAlg,
): Promise<NewKeyMaterial> {
  if (alg === COOKIE_ALG) {
    const secret = randomBytes(COOKIE_SECRET_BYTES);
    return {
      // Random rather than a thumbprint: a thumbprint of a secret key is a hash of the secret.
      kid: randomBytes(16).toString('base64url'),
      alg,
      publicJwk: {},
      sealed: secretBox.encrypt(secret.toString('base64url'), purposeOf(tenantId, alg)),
      opened: { privateKey: createSecretKey(secret), secret },
    };
  }
  const { publicKey, privateKey } = await generateFor(alg);
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(jwk);
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    kid,
    alg,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    sealed: secretBox.encrypt(pem, purposeOf(tenantId, alg)),
    opened: { privateKey, privateJwk: privateJwkOf(privateKey, kid, alg) },
  };
}

/** Decrypts a stored key (throws when the master key is not the one that sealed it). */
export function openKeyMaterial(
  secretBox: SecretBox,
  row: { tenantId: string; kid: string; alg: string; privateKeyEncrypted: string },
): OpenedKey {
  const plain = secretBox.decrypt(row.privateKeyEncrypted, purposeOf(row.tenantId, row.alg));
  if (row.alg === COOKIE_ALG) {
    const secret = Buffer.from(plain, 'base64url');
    return { privateKey: createSecretKey(secret), secret };
  }
  const privateKey = createPrivateKey(plain);
  return { privateKey, privateJwk: privateJwkOf(privateKey, row.kid, row.alg as SigningAlg) };
}

/** oidc-provider's `jwks` option takes private JWKs (it refuses KeyObjects). */
function privateJwkOf(privateKey: KeyObject, kid: string, alg: SigningAlg): PrivateJwk {
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
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
