import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/**
 * OIDC Core 1.0 (errata set 2) §12.2: an ID token issued on a refresh SHOULD NOT carry a `nonce` (the
 * refresh request sends none to compare with), and Auth0's SDKs refuse one ("nonce claim mismatch").
 * oidc-provider copies the login's nonce onto the refresh token, onto each rotated successor, and from
 * there into every refreshed ID token (grants/refresh_token.js, helpers/grant_common.js `issueIdToken`).
 * A refresh token is therefore stored without it, and read without it (tokens stored before this rule),
 * so a refreshed ID token has none. The code exchange's ID token comes from the authorization code,
 * which keeps its nonce.
 */
export function withoutRefreshTokenNonce(factory: AdapterFactory): AdapterFactory {
  return (model) => {
    const adapter = factory(model);
    if (model !== 'RefreshToken') return adapter;
    return {
      upsert: (id, payload, expiresIn) => adapter.upsert(id, withoutNonce(payload), expiresIn),
      find: async (id) => withoutNonce(await adapter.find(id)),
      findByUid: async (uid) => withoutNonce(await adapter.findByUid(uid)),
      findByUserCode: async (code) => withoutNonce(await adapter.findByUserCode(code)),
      consume: (id) => adapter.consume(id),
      destroy: (id) => adapter.destroy(id),
      revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
    } satisfies Adapter;
  };
}

/** What an adapter's `find` answers: the payload, or nothing for a token it does not hold. */
type Found = Awaited<ReturnType<Adapter['find']>>;

function withoutNonce(payload: AdapterPayload): AdapterPayload;
function withoutNonce(payload: Found): AdapterPayload | undefined;
function withoutNonce(payload: Found): AdapterPayload | undefined {
  if (!payload || payload.nonce === undefined) return payload ?? undefined;
  const { nonce: _nonce, ...rest } = payload;
  return rest;
}
