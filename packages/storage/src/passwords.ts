import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError } from '@tessera/core';

/**
 * Password hashing: argon2id with OWASP's minimum (19 MiB, t=2, p=1), stored as a PHC string
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (standard base64 without padding) so other argon2
 * implementations can read it. `crypto.argon2` (async) runs on the libuv threadpool: a login never
 * blocks the event loop for the ~tens of milliseconds a hash costs.
 */
export const PASSWORD_PARAMS = Object.freeze({ memory: 19_456, passes: 2, parallelism: 1 });
const SALT_BYTES = 16;
const TAG_BYTES = 32;

/** Beyond this a password is refused (hashing megabytes per request would be a cheap DoS). */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Bounds on parameters read back from a stored hash: a corrupted or planted row must not make one
 * verification allocate gigabytes or spin for minutes. They leave room to raise the cost later.
 */
const LIMITS = { memory: 1 << 20, passes: 64, parallelism: 16, tagMin: 16, tagMax: 64, saltMin: 8 };

interface Phc {
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

export async function hashPassword(plain: string): Promise<string> {
  checkLength(plain);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(plain, { ...PASSWORD_PARAMS, salt, tagLength: TAG_BYTES });
  const { memory: m, passes: t, parallelism: p } = PASSWORD_PARAMS;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

/** With the parameters stored in `phc`; false (never a throw) for a wrong password or a malformed hash. */
export async function verifyPassword(plain: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (!parsed || typeof plain !== 'string' || plain.length < 1 || plain.length > MAX_PASSWORD_LENGTH) {
    return false;
  }
  try {
    const computed = await derive(plain, { ...parsed, tagLength: parsed.hash.length });
    return timingSafeEqual(computed, parsed.hash);
  } catch {
    return false;
  }
}

/** True when the stored hash is weaker than today's parameters (or unreadable): rehash after login. */
export function needsRehash(phc: string): boolean {
  const parsed = parsePhc(phc);
  return (
    !parsed ||
    parsed.memory < PASSWORD_PARAMS.memory ||
    parsed.passes < PASSWORD_PARAMS.passes ||
    parsed.parallelism < PASSWORD_PARAMS.parallelism ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length < TAG_BYTES
  );
}

// A well-formed hash with today's parameters whose tag no password yields (all zeros): verifying
// against it costs what a real verification costs.
const DUMMY_PHC = (() => {
  const { memory: m, passes: t, parallelism: p } = PASSWORD_PARAMS;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(Buffer.alloc(SALT_BYTES))}$${b64(Buffer.alloc(TAG_BYTES))}`;
})();

/**
 * For an unknown user: spends one real verification and returns false, so the response time does
 * not tell an attacker whether the account exists.
 */
export async function dummyVerify(plain: string): Promise<false> {
  // Same early exits as a real verification (empty or over-long input), so those match too.
  await verifyPassword(plain, DUMMY_PHC);
  return false;
}

/** InvalidRequestError for an empty or over-long password (before any hashing work). */
export function checkLength(plain: string): void {
  if (typeof plain !== 'string' || plain.length < 1 || plain.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequestError(`a password must be 1 to ${MAX_PASSWORD_LENGTH} characters long`);
  }
}

function derive(
  plain: string,
  params: { memory: number; passes: number; parallelism: number; salt: Buffer; tagLength: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: plain,
        nonce: params.salt,
        memory: params.memory,
        passes: params.passes,
        parallelism: params.parallelism,
        tagLength: params.tagLength,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

// PHC string format (github.com/P-H-C/phc-string-format): only argon2id v=19 (1.3) is accepted.
const PHC = /^\$argon2id\$v=19\$m=(\d{1,8}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parsePhc(phc: unknown): Phc | undefined {
  if (typeof phc !== 'string') return undefined;
  const match = PHC.exec(phc);
  if (!match) return undefined;
  const [memory, passes, parallelism] = [match[1], match[2], match[3]].map(Number) as [
    number,
    number,
    number,
  ];
  const salt = unb64(match[4]!);
  const hash = unb64(match[5]!);
  const ok =
    salt !== undefined &&
    hash !== undefined &&
    parallelism >= 1 &&
    parallelism <= LIMITS.parallelism &&
    passes >= 1 &&
    passes <= LIMITS.passes &&
    memory >= 8 * parallelism &&
    memory <= LIMITS.memory &&
    salt.length >= LIMITS.saltMin &&
    hash.length >= LIMITS.tagMin &&
    hash.length <= LIMITS.tagMax;
  return ok ? { memory, passes, parallelism, salt, hash } : undefined;
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** Strict: Node's decoder skips junk, so only an exact round trip counts as valid base64. */
function unb64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return b64(bytes) === text ? bytes : undefined;
}
