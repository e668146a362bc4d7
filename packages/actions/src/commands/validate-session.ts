import { isReservedKey, oneOf, optionalBoolean, optionalObject, quote, typeName } from './checks.ts';
import { epochMsProblem } from './epoch-ms.ts';
import { MAX_SESSION_METADATA_CHARS, MAX_SESSION_METADATA_KEYS } from './limits.ts';
import { checkReason } from './reason.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/** `api.session.revoke(reason, { preserveRefreshTokens })`: revokes the session and denies the login. */
const revoke: Validator = ([reason, options], state) => {
  const problem = checkReason(reason, 'api.session.revoke: reason', state);
  if (problem !== undefined) return problem;
  const preserve = (options as { preserveRefreshTokens?: unknown } | undefined)?.preserveRefreshTokens;
  const optionsProblem =
    optionalObject(options, 'api.session.revoke: options') ??
    optionalBoolean(preserve, 'api.session.revoke: options.preserveRefreshTokens');
  if (optionsProblem !== undefined) return refuse(optionsProblem);
  return accept({
    type: 'session.revoke',
    reason: reason as string,
    preserveRefreshTokens: preserve === true,
  });
};

function expiry(type: 'session.setExpiresAt' | 'session.setIdleExpiresAt', param: string): Validator {
  return ([at]) => {
    const problem = epochMsProblem(at, `api.${type}: ${param}`);
    if (problem !== undefined) return refuse(problem);
    return accept({ type, at: at as number });
  };
}

const COOKIE_MODES = ['persistent', 'non-persistent'] as const;

const setCookieMode: Validator = ([mode]) => {
  const problem = oneOf(mode, COOKIE_MODES, 'api.session.setCookieMode: mode');
  if (problem !== undefined) return refuse(problem);
  return accept({ type: 'session.setCookieMode', mode: mode as (typeof COOKIE_MODES)[number] });
};

/** Tessera's rule for session metadata keys (docs/actions.md#session): they go into cookies and logout tokens. */
const METADATA_KEY = /^[A-Za-z0-9_-]+$/;

function metadataKeyProblem(key: unknown, method: string): string | undefined {
  const max = MAX_SESSION_METADATA_CHARS;
  if (typeof key !== 'string' || !METADATA_KEY.test(key) || key.length > max) {
    const got = typeof key === 'string' ? quote(key) : typeName(key);
    return `${method}: key must be 1 to ${max} characters of A-Z, a-z, 0-9, "_" or "-" (got ${got})`;
  }
  if (isReservedKey(key))
    return `${method}: key ${quote(key)} is a reserved JavaScript property name and cannot be used`;
  return undefined;
}

/**
 * `api.session.setMetadata(key, value)`: string values only (Auth0: "object with string values (max
 * 255 chars). Maximum of 25 metadata properties"). Auth0's `null` deletes the key; it is recorded as
 * `session.deleteMetadata` so the login layer has one representation of a deletion.
 */
const setMetadata: Validator = ([key, value], state) => {
  const method = 'api.session.setMetadata';
  const keyProblem = metadataKeyProblem(key, method);
  if (keyProblem !== undefined) return refuse(keyProblem);
  const name = key as string;
  const keys = state.sessionMetadataKeys;
  if (value === null) {
    keys.delete(name);
    return accept({ type: 'session.deleteMetadata', key: name });
  }
  if (typeof value !== 'string') {
    return refuse(`${method}: value must be a string, or null to delete the key (got ${typeName(value)})`);
  }
  if (value.length > MAX_SESSION_METADATA_CHARS) {
    return refuse(
      `${method}: value is ${value.length} characters; the limit is ${MAX_SESSION_METADATA_CHARS}`,
    );
  }
  if (!keys.has(name) && keys.size >= MAX_SESSION_METADATA_KEYS) {
    return refuse(
      `${method}: the session already has ${MAX_SESSION_METADATA_KEYS} metadata keys, the maximum; delete one first`,
    );
  }
  keys.add(name);
  return accept({ type: 'session.setMetadata', key: name, value });
};

const deleteMetadata: Validator = ([key], state) => {
  const problem = metadataKeyProblem(key, 'api.session.deleteMetadata');
  if (problem !== undefined) return refuse(problem);
  state.sessionMetadataKeys.delete(key as string);
  return accept({ type: 'session.deleteMetadata', key: key as string });
};

const evictMetadata: Validator = (_args, state) => {
  state.sessionMetadataKeys.clear();
  return accept({ type: 'session.evictMetadata' });
};

export const sessionValidators: Record<string, Validator> = {
  'session.revoke': revoke,
  'session.setExpiresAt': expiry('session.setExpiresAt', 'absolute'),
  'session.setIdleExpiresAt': expiry('session.setIdleExpiresAt', 'inactivity'),
  'session.setCookieMode': setCookieMode,
  'session.setMetadata': setMetadata,
  'session.deleteMetadata': deleteMetadata,
  'session.evictMetadata': evictMetadata,
};
