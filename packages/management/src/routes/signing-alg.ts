import type { Storage } from '@tessera/storage';
import { invalidBody } from '../errors.ts';

/** Auth0's token algorithms (SDK `SigningAlgorithmEnum`) and the ones Tessera's keys add. */
export const TOKEN_ALGS = ['HS256', 'RS256', 'RS512', 'PS256', 'ES256', 'EdDSA'] as const;

/**
 * Tessera signs every token with one of the tenant's own asymmetric keys, whose JWKs are bound to one
 * algorithm: an API or client asking for an algorithm no current key has would make every token it
 * needs fail to sign, so it is refused here instead. HS256 (Auth0's legacy default, a shared secret)
 * is accepted for compatibility and signed with the tenant's RS256 key, as the provider does
 * (packages/oidc/src/configuration.ts): such tokens verify with the published keys, not a secret.
 */
export async function requireSigningAlg(storage: Storage, tenantId: string, alg: string, property: string) {
  const effective = alg === 'HS256' ? 'RS256' : alg;
  const keys = await storage.signingKeys.list(tenantId);
  const usable = new Set<string>(
    keys.filter((key) => key.use === 'sig' && key.state === 'current').map((key) => key.alg),
  );
  if (usable.has(effective)) return;
  throw invalidBody(
    `Payload validation error: the tenant has no current signing key for ${alg} (it signs with ${[...usable].join(', ') || 'no key'}) on property ${property}.`,
  );
}
