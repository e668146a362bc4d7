import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * Encryption at rest for secrets kept in the database (signing keys, action secrets): AES-256-GCM with
 * a per-purpose key derived (HKDF-SHA256) from the master key, and the purpose bound as additional
 * authenticated data so a ciphertext cannot be moved from one column to another.
 * Format: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */
export interface SecretBox {
  encrypt(plaintext: string, purpose: string): string;
  decrypt(sealed: string, purpose: string): string;
  /** HMAC-SHA256 of a high-entropy secret (client secrets): fast, and useless without the master key. */
  hash(secret: string, purpose: string): string;
  /** Constant-time comparison of a presented secret with a stored `hash`. */
  verify(secret: string, stored: string, purpose: string): boolean;
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
  const keys = new Map<string, Buffer>();
  const keyFor = (use: string) => {
    let key = keys.get(use);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tessera:${use}`, 32));
      keys.set(use, key);
    }
    return key;
  };
  const hash = (secret: string, purpose: string) =>
    createHmac('sha256', keyFor(`hmac:${purpose}`))
      .update(secret)
      .digest('base64url');

  return {
    encrypt(plaintext, purpose) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor('aead'), iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(sealed, purpose) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', keyFor('aead'), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    hash,
    verify(secret, stored, purpose) {
      const presented = Buffer.from(hash(secret, purpose));
      const expected = Buffer.from(stored);
      return presented.length === expected.length && timingSafeEqual(presented, expected);
    },
  };
}
