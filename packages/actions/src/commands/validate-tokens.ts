import { propertyKey, quote, typeName, utf8Bytes } from './checks.ts';
import { RESTRICTED_CLAIMS } from './restricted-claims.ts';
import type { Outcome, Validator } from './validator.ts';
import { accept, refuse, refuseLimit } from './validator.ts';

type Token = 'accessToken' | 'idToken';
const TOKEN_NAMES: Record<Token, string> = { accessToken: 'access token', idToken: 'ID token' };

function setCustomClaim(token: Token): Validator {
  const method = `api.${token}.setCustomClaim`;
  return ([key, value], state): Outcome => {
    const problem = propertyKey(key, `${method}: key`);
    if (problem !== undefined) return refuse(problem);
    const name = key as string;
    if (RESTRICTED_CLAIMS.has(name))
      return { ok: true, warning: `claim "${name}" is restricted and was ignored` };
    // JSON has no undefined: Auth0's token would simply lack the claim, so record nothing and say so.
    if (value === undefined)
      return { ok: true, warning: `claim ${quote(name)} has an undefined value and was ignored` };
    const sizes = state.claims[token];
    // What the claim adds to the payload: `"key":value,`.
    const bytes = utf8Bytes(JSON.stringify(name)) + utf8Bytes(JSON.stringify(value)) + 2;
    const total = sizes.total - (sizes.bytes.get(name) ?? 0) + bytes;
    if (total > state.limits.maxClaimBytes) {
      return refuseLimit(
        `${method}: custom claims on the ${TOKEN_NAMES[token]} would be ${total} bytes; the limit is ${state.limits.maxClaimBytes} bytes`,
      );
    }
    sizes.bytes.set(name, bytes);
    sizes.total = total;
    return accept({ type: `${token}.setCustomClaim`, key: name, value });
  };
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), so one scope has no space. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function scopeChange(type: 'accessToken.addScope' | 'accessToken.removeScope'): Validator {
  const where = `api.${type}: scope`;
  return ([scope]) => {
    if (typeof scope !== 'string' || scope === '') {
      return refuse(
        `${where} must be a non-empty string (got ${scope === '' ? 'an empty string' : typeName(scope)})`,
      );
    }
    if (!SCOPE_TOKEN.test(scope)) {
      return refuse(
        `${where} must be a single scope (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes); call it once per scope`,
      );
    }
    return accept({ type, scope });
  };
}

export const tokenValidators: Record<string, Validator> = {
  'accessToken.setCustomClaim': setCustomClaim('accessToken'),
  'idToken.setCustomClaim': setCustomClaim('idToken'),
  'accessToken.addScope': scopeChange('accessToken.addScope'),
  'accessToken.removeScope': scopeChange('accessToken.removeScope'),
};
