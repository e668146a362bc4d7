// Tenant code sees `event.request.query` and `event.request.body`, logs them, and may send them
// anywhere (console output lands in execution records readable by every tenant admin). So credentials
// never enter the event: each name below is a bearer secret of the request that carried it.
const SENSITIVE = new Set([
  // The user's password (login and signup forms, RFC 6749 §4.3.2 resource-owner grant).
  'password',
  // Client authentication: a shared secret (RFC 6749 §2.3.1) or a signed assertion that authenticates
  // the client until it expires (RFC 7523 §2.2).
  'client_secret',
  'client_assertion',
  // An authorization code is redeemable for tokens until used (RFC 6749 §4.1.3); with the PKCE
  // verifier it is redeemable by anyone (RFC 7636 §4.5).
  'code',
  'code_verifier',
  // Tokens presented by the client: each one is a bearer credential (RFC 6749 §6, RFC 6750 §2.2,
  // RFC 8693 §2.1 token exchange, RFC 7523 §2.1 JWT bearer grant, RFC 8628 §3.4 device polling).
  'refresh_token',
  'access_token',
  'id_token',
  'subject_token',
  'actor_token',
  'assertion',
  'device_code',
  // A previously issued ID token: full of personal data and proof of a past login (OIDC Core §3.1.2.1).
  'id_token_hint',
  // Auth0's MFA grant: one-time codes and the token that binds them to a login.
  'otp',
  'oob_code',
  'binding_code',
  'recovery_code',
  'mfa_token',
  // The login pages' anti-forgery tokens: with one, another site could submit this user's forms.
  '_csrf',
  'xsrf',
]);

/** Names that look like credentials whatever the exact spelling (`new_password`, `api_secret`…). */
const SENSITIVE_PATTERN = /password|secret|passwd/i;

export function isSensitiveParam(name: string): boolean {
  return SENSITIVE.has(name.toLowerCase()) || SENSITIVE_PATTERN.test(name);
}

/**
 * A copy of `params` without credentials, at any depth (JSON bodies nest). Values are plain JSON:
 * the caller passes parsed query strings or bodies.
 */
export function withoutSecrets(params: Record<string, unknown>): Record<string, unknown> {
  return strip(params) as Record<string, unknown>;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    if (isSensitiveParam(name)) continue;
    // defineProperty, not assignment: a `__proto__` key stays data and never becomes a prototype.
    Object.defineProperty(out, name, {
      value: strip(inner),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
