import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { typeName } from './checks.ts';

export type PemKind = 'certificate' | 'public key' | 'private key';

/** The PEM labels (RFC 7468) each kind accepts. */
const LABELS: Record<PemKind, readonly string[]> = {
  certificate: ['CERTIFICATE'],
  'public key': ['PUBLIC KEY'],
  'private key': ['PRIVATE KEY', 'RSA PRIVATE KEY'],
};

/** A certificate chain or key bundle is far smaller; this only stops a flood from reaching OpenSSL. */
const MAX_PEM_CHARS = 16 * 1024;

/**
 * Checks that `value` is exactly one PEM block of the expected kind that OpenSSL can parse and that
 * holds an RSA key: Tessera's SAML layer signs with rsa-sha256/rsa-sha1 and encrypts with RSA key
 * transport, so any other key would only fail later, in the middle of a login. OpenSSL's own error
 * text is not passed on: it says nothing useful to a tenant.
 */
export function pemProblem(value: unknown, kind: PemKind, where: string): string | undefined {
  const labels = LABELS[kind];
  const expected = labels.map((label) => `-----BEGIN ${label}-----`).join(' or ');
  if (typeof value !== 'string') return `${where} must be a PEM ${kind} string (got ${typeName(value)})`;
  if (value.length > MAX_PEM_CHARS)
    return `${where} is ${value.length} characters; the limit is ${MAX_PEM_CHARS}`;
  const text = value.trim();
  const label = labels.find(
    (candidate) =>
      text.startsWith(`-----BEGIN ${candidate}-----`) && text.endsWith(`-----END ${candidate}-----`),
  );
  if (label === undefined || text.split('-----BEGIN ').length !== 2) {
    return `${where} must be a single PEM ${kind} (${expected} … -----END ${labels[0]}-----)`;
  }
  const key = parse(text, kind);
  if (key === undefined) return `${where} could not be parsed as a PEM ${kind}`;
  if (key.asymmetricKeyType !== 'rsa') {
    return `${where} must hold an RSA key (got ${key.asymmetricKeyType ?? 'an unknown key type'})`;
  }
  return undefined;
}

function parse(text: string, kind: PemKind): KeyObject | undefined {
  try {
    if (kind === 'certificate') return new X509Certificate(text).publicKey;
    if (kind === 'public key') return createPublicKey({ key: text, format: 'pem' });
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    return undefined;
  }
}
