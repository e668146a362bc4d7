import { errors } from 'oidc-provider';

/**
 * An error of Auth0's token endpoint with the status Auth0 gives it (RFC 6749 §5.2 says 400 or 401;
 * Auth0 answers a refused password grant with 401, 403 or 429, and apps written for Auth0 branch on
 * them). oidc-provider's error handler writes `{ error, error_description }` and emits `grant.error`.
 */
export function tokenError(status: 400 | 401 | 403 | 429, error: string, description: string) {
  const refusal = new errors.CustomOIDCProviderError(error, description);
  Object.assign(refusal, { status, statusCode: status });
  return refusal;
}

/** Auth0's answer to an unknown identifier and to a wrong password alike (docs/security.md#20). */
export const WRONG_CREDENTIALS = 'Wrong email or password.';
