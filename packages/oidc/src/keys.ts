import type { SigningKey } from '@tessera/storage';
import type { JSONWebKeySet } from 'jose';
import type { JWK } from 'oidc-provider';

const ORDER = { current: 0, next: 1, previous: 2 } as const;

/**
 * The tenant's keys as oidc-provider wants them. For a given algorithm the provider signs with the
 * first key, so `current` comes first; `next` is published before it signs anything and `previous`
 * stays published until the tokens it signed have expired (rotation with overlap). Revoked keys are
 * neither published nor used.
 */
export function toJwks(keys: SigningKey[]): { keys: JWK[] } {
  const usable = keys
    .filter((key) => key.use === 'sig' && key.state in ORDER && key.privateJwk)
    .sort((a, b) => ORDER[a.state as keyof typeof ORDER] - ORDER[b.state as keyof typeof ORDER]);
  return { keys: usable.map((key) => key.privateJwk as JWK) };
}

/** The published half of the same keys: what anyone verifying Tessera's tokens uses. */
export function toPublicJwks(keys: SigningKey[]): JSONWebKeySet {
  return {
    keys: keys.flatMap((key) =>
      key.use === 'sig' && key.state in ORDER && key.publicJwk
        ? [key.publicJwk as unknown as JSONWebKeySet['keys'][number]]
        : [],
    ),
  };
}

/** Cookie-signing secrets: the current one signs, the others still verify (keygrip order). */
export function toCookieKeys(keys: SigningKey[]): Buffer[] {
  return keys
    .filter((key) => key.use === 'cookie' && key.state in ORDER && key.secret)
    .sort((a, b) => ORDER[a.state as keyof typeof ORDER] - ORDER[b.state as keyof typeof ORDER])
    .map((key) => key.secret as Buffer);
}
