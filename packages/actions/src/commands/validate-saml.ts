import { nonEmptyString, oneOf, propertyKey, quote, typeName } from './checks.ts';
import { type PemKind, pemProblem } from './pem.ts';
import type { SamlAttributeValue, SamlSettingBody } from './types.ts';
import { httpUrl } from './urls.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/**
 * `api.samlResponse.*`. An invalid setting fails the execution instead of being ignored
 * (docs/actions.md#saml): a silently dropped certificate or audience would issue an assertion the
 * service provider rejects, or worse, accepts with defaults the tenant meant to override.
 */

type SettingName = SamlSettingBody['type'] extends `samlResponse.${infer Name}` ? Name : never;
type Check = (value: unknown, where: string) => string | undefined;

/** `setAudience` → `audience`: the parameter name Auth0's reference uses. */
function paramName(setter: string): string {
  return setter.charAt(3).toLowerCase() + setter.slice(4);
}

function setting(name: SettingName, check: Check): Validator {
  const where = `api.samlResponse.${name}: ${paramName(name)}`;
  return ([value]) => {
    const problem = check(value, where);
    if (problem !== undefined) return refuse(problem);
    return accept({ type: `samlResponse.${name}`, value } as SamlSettingBody);
  };
}

const boolean: Check = (value, where) =>
  typeof value === 'boolean' ? undefined : `${where} must be a boolean (got ${typeName(value)})`;

/** SAML core §8.3.6: entity identifiers "MUST NOT exceed 1024 characters"; used for every URI here. */
const MAX_URI_CHARS = 1024;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}]+$/u;

/** An absolute URI (RFC 3986 §4.3), URN or URL: SAML's anyURI values (Audience, Issuer, formats). */
const uri: Check = (value, where) => {
  if (typeof value === 'string' && value.length <= MAX_URI_CHARS && URI.test(value)) return undefined;
  const got = typeof value === 'string' ? quote(value) : typeName(value);
  return `${where} must be an absolute URI of at most ${MAX_URI_CHARS} characters, such as "urn:example:sp" or "https://sp.example.com" (got ${got})`;
};

/** Recipient and Destination are where the browser posts the response: an http(s) URL. */
const endpoint: Check = (value, where) => {
  const parsed = httpUrl(value, where);
  return parsed.ok ? undefined : parsed.message;
};

const string: Check = (value, where) =>
  typeof value === 'string' ? undefined : `${where} must be a string (got ${typeName(value)})`;

const lifetime: Check = (value, where) =>
  Number.isSafeInteger(value) && (value as number) > 0
    ? undefined
    : `${where} must be a positive integer number of seconds (got ${typeof value === 'number' ? value : typeName(value)})`;

const probes: Check = (value, where) => {
  if (!Array.isArray(value) || value.length === 0) {
    return `${where} must be a non-empty array of attribute names (got ${Array.isArray(value) ? 'an empty array' : typeName(value)})`;
  }
  for (let i = 0; i < value.length; i++) {
    const problem = nonEmptyString(value[i], `${where}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
};

const pem =
  (kind: PemKind): Check =>
  (value, where) =>
    pemProblem(value, kind, where);

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value));

/** Auth0's attribute value type: a scalar, an array of scalars, or null/undefined to remove it. */
const setAttribute: Validator = ([attribute, value]) => {
  const method = 'api.samlResponse.setAttribute';
  const problem = propertyKey(attribute, `${method}: attribute`);
  if (problem !== undefined) return refuse(problem);
  const removed = value === null || value === undefined;
  if (!removed && !isScalar(value) && !(Array.isArray(value) && value.every(isScalar))) {
    return refuse(
      `${method}: value must be a string, number, boolean, an array of those, or null to remove the attribute (got ${typeName(value)})`,
    );
  }
  return accept({
    type: 'samlResponse.setAttribute',
    attribute: attribute as string,
    value: removed ? null : (value as SamlAttributeValue),
  });
};

export const samlValidators: Record<string, Validator> = {
  'samlResponse.setAttribute': setAttribute,
  'samlResponse.setAudience': setting('setAudience', uri),
  'samlResponse.setIssuer': setting('setIssuer', uri),
  'samlResponse.setNameIdentifierFormat': setting('setNameIdentifierFormat', uri),
  'samlResponse.setAuthnContextClassRef': setting('setAuthnContextClassRef', uri),
  'samlResponse.setRecipient': setting('setRecipient', endpoint),
  'samlResponse.setDestination': setting('setDestination', endpoint),
  'samlResponse.setRelayState': setting('setRelayState', string),
  'samlResponse.setCreateUpnClaim': setting('setCreateUpnClaim', boolean),
  'samlResponse.setPassthroughClaimsWithNoMapping': setting('setPassthroughClaimsWithNoMapping', boolean),
  'samlResponse.setMapUnknownClaimsAsIs': setting('setMapUnknownClaimsAsIs', boolean),
  'samlResponse.setMapIdentities': setting('setMapIdentities', boolean),
  'samlResponse.setSignResponse': setting('setSignResponse', boolean),
  'samlResponse.setIncludeAttributeNameFormat': setting('setIncludeAttributeNameFormat', boolean),
  'samlResponse.setTypedAttributes': setting('setTypedAttributes', boolean),
  'samlResponse.setSignatureAlgorithm': setting('setSignatureAlgorithm', (value, where) =>
    oneOf(value, ['rsa-sha256', 'rsa-sha1'], where),
  ),
  'samlResponse.setDigestAlgorithm': setting('setDigestAlgorithm', (value, where) =>
    oneOf(value, ['sha256', 'sha1'], where),
  ),
  'samlResponse.setLifetimeInSeconds': setting('setLifetimeInSeconds', lifetime),
  'samlResponse.setNameIdentifierProbes': setting('setNameIdentifierProbes', probes),
  'samlResponse.setSigningCert': setting('setSigningCert', pem('certificate')),
  'samlResponse.setEncryptionCert': setting('setEncryptionCert', pem('certificate')),
  'samlResponse.setEncryptionPublicKey': setting('setEncryptionPublicKey', pem('public key')),
  'samlResponse.setCert': setting('setCert', pem('certificate')),
  'samlResponse.setKey': setting('setKey', pem('private key')),
};
