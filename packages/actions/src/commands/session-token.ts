import { isPlainObject, nonEmptyString, quote, typeName, utf8Bytes } from './checks.ts';
import { decodeJsonSegment, signatureMatches, signJwt, splitJws } from './hs256.ts';

/**
 * `api.redirect.encodeToken` / `api.redirect.validateToken`: the HS256 session tokens that carry data
 * to and from the site a redirect action sends the user to (docs/actions.md#redirect).
 */

/** A token rides in a URL or form field; anything larger is refused before it is parsed. */
export const MAX_SESSION_TOKEN_BYTES = 8 * 1024;
const DEFAULT_EXPIRES_IN_SECONDS = 900;

/**
 * Claims Tessera sets from the transaction. The payload cannot override them: `sub` and `iss` are what
 * validateToken binds the token to, and `iat`/`exp` come from expiresInSeconds.
 */
const FIXED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'iat', 'exp', 'ip']);

export interface EncodeContext {
  hostname: string;
  userId: string;
  ip: string;
  /** ms since the epoch; defaults to Date.now() */
  now?: number;
}

export function encodeSessionToken(options: unknown, context: EncodeContext): string {
  const method = 'api.redirect.encodeToken';
  if (!isPlainObject(options))
    throw new Error(`${method}: options must be an object (got ${typeName(options)})`);
  const { secret, payload, expiresInSeconds = DEFAULT_EXPIRES_IN_SECONDS } = options;
  const problem = nonEmptyString(secret, `${method}: options.secret`);
  if (problem !== undefined) throw new Error(problem);
  if (!isPlainObject(payload)) {
    throw new Error(`${method}: options.payload must be an object (got ${typeName(payload)})`);
  }
  if (!Number.isSafeInteger(expiresInSeconds) || (expiresInSeconds as number) <= 0) {
    const got = typeof expiresInSeconds === 'number' ? String(expiresInSeconds) : typeName(expiresInSeconds);
    throw new Error(`${method}: options.expiresInSeconds must be a positive integer (got ${got})`);
  }
  const iat = Math.floor((context.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {
    iat,
    exp: iat + (expiresInSeconds as number),
    iss: context.hostname,
    sub: context.userId,
    ip: context.ip,
  };
  for (const [key, value] of Object.entries(payload)) {
    if (!FIXED_CLAIMS.has(key))
      Object.defineProperty(claims, key, { value, enumerable: true, writable: true });
  }
  const token = signJwt({ alg: 'HS256', typ: 'JWT' }, claims, secret as string);
  const bytes = utf8Bytes(token);
  if (bytes > MAX_SESSION_TOKEN_BYTES) {
    throw new Error(
      `${method}: the token would be ${bytes} bytes; the limit is ${MAX_SESSION_TOKEN_BYTES} bytes`,
    );
  }
  return token;
}

export interface ValidateContext {
  hostname: string;
  userId: string;
  /** The `state` of the /continue request; undefined means there is nothing to match. */
  state: string | undefined;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  /** ms since the epoch; defaults to Date.now() */
  now?: number;
}

function invalid(reason: string): Error {
  return new Error(`The session token is invalid: ${reason}`);
}

/**
 * Reads the token from the /continue query string, then the POST body, and returns its claims, or
 * throws `The session token is invalid: <reason>` (Auth0's wording). The signature is checked before
 * any claim is believed, and the token must be bound to this host, this user and this transaction's
 * state, so a token minted for another login cannot be replayed here (docs/security.md#23).
 */
export function validateSessionToken(options: unknown, context: ValidateContext): Record<string, unknown> {
  const method = 'api.redirect.validateToken';
  if (!isPlainObject(options))
    throw new Error(`${method}: options must be an object (got ${typeName(options)})`);
  const { secret, tokenParameterName = 'session_token' } = options;
  const problem =
    nonEmptyString(secret, `${method}: options.secret`) ??
    nonEmptyString(tokenParameterName, `${method}: options.tokenParameterName`);
  if (problem !== undefined) throw new Error(problem);
  const token = readParameter(context, tokenParameterName as string);
  const claims = verifiedClaims(token, secret as string);
  const now = Math.floor((context.now ?? Date.now()) / 1000);
  const { iss, sub, exp, iat, nbf, state } = claims;
  if (typeof iss !== 'string' || typeof sub !== 'string' || !Number.isFinite(exp) || !Number.isFinite(iat)) {
    throw invalid('Missing or invalid standard claims');
  }
  if ((exp as number) <= now) throw invalid('Token has expired.');
  if (nbf !== undefined && !(typeof nbf === 'number' && nbf <= now)) {
    throw invalid('Token is not valid yet (nbf).');
  }
  if (iss !== context.hostname) throw invalid('The iss claim does not match the hostname.');
  if (sub !== context.userId) throw invalid('The sub claim does not match the user_id.');
  if (context.state === undefined || state !== context.state) {
    throw invalid('State in the token does not match the /continue state.');
  }
  return claims;
}

function readParameter(context: ValidateContext, name: string): string {
  const from = (source: unknown) =>
    isPlainObject(source) && Object.hasOwn(source, name) ? source[name] : undefined;
  const value = from(context.query) ?? from(context.body);
  if (value === undefined) {
    throw invalid(`there is no parameter called ${quote(name)} in the query string or the POST body.`);
  }
  if (typeof value !== 'string') throw invalid('the token parameter must be a single string.');
  const bytes = utf8Bytes(value);
  if (bytes > MAX_SESSION_TOKEN_BYTES) {
    throw invalid(`the token is ${bytes} bytes; the limit is ${MAX_SESSION_TOKEN_BYTES} bytes.`);
  }
  return value;
}

/** Header and signature checks; only a token that passes them has claims worth reading. */
function verifiedClaims(token: string, secret: string): Record<string, unknown> {
  const parts = splitJws(token);
  const header = parts === undefined ? undefined : decodeJsonSegment(parts[0]);
  if (parts === undefined || header === undefined) {
    throw invalid('Malformed token: expected three base64url segments (header.payload.signature).');
  }
  // Only HS256: `none` would skip the signature and RS256/ES256 would let a public key act as the secret.
  if (header.alg !== 'HS256') {
    const alg = typeof header.alg === 'string' ? quote(header.alg) : typeName(header.alg);
    throw invalid(`Unexpected algorithm ${alg}; only HS256 is accepted.`);
  }
  // RFC 7515 §4.1.11: an extension the recipient does not understand makes the JWS invalid.
  if (header.crit !== undefined) throw invalid('Unsupported "crit" header.');
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
    throw invalid('Unexpected token payload type');
  }
  if (!signatureMatches(`${parts[0]}.${parts[1]}`, parts[2], secret)) {
    throw invalid('Failed signature validation');
  }
  const claims = decodeJsonSegment(parts[1]);
  if (claims === undefined) throw invalid('Malformed token: the payload is not a JSON object.');
  return claims;
}
