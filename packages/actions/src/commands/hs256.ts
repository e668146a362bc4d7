import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The HS256 JWS pieces `api.redirect.encodeToken` / `validateToken` need. Auth0's api is synchronous,
 * so this is node:crypto directly rather than jose (whose API is async); the tests cross-check both
 * directions against jose.
 */

export function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** RFC 7515 §7.1: the signature is computed over `base64url(header).base64url(payload)`. */
export function hs256(signingInput: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

export function signJwt(header: object, payload: object, secret: string): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${hs256(input, secret).toString('base64url')}`;
}

/** Constant-time signature check: a byte-by-byte compare would leak how much of a forgery was right. */
export function signatureMatches(signingInput: string, signature: string, secret: string): boolean {
  const expected = hs256(signingInput, secret);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Empty for `alg: none` tokens, which must still reach the algorithm check to be named in the error. */
const SIGNATURE = /^[A-Za-z0-9_-]*$/;

/** The three base64url segments of a compact JWS, or undefined when it is not one. */
export function splitJws(token: string): [string, string, string] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  if (!SEGMENT.test(header) || !SEGMENT.test(payload) || !SIGNATURE.test(signature)) return undefined;
  return [header, payload, signature];
}

/** A base64url segment holding a JSON object, or undefined. */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
