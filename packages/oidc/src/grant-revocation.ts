import type Provider from 'oidc-provider';
import type { Adapter } from 'oidc-provider';

/** Models whose records hang off a grant (revoking the grant removes them). */
const GRANT_BOUND = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
] as const;

/**
 * Revokes a grant and everything issued under it (RFC 6749 §4.1.2 on a reused code, RFC 6819 on a
 * reused refresh token, and logout): the records go first, then the grant itself, so a token that a
 * concurrent request writes afterwards still dies with the grant it points to.
 */
export async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await revokeGrantThrough((model) => provider[model].adapter, grantId);
}

type GrantModel = (typeof GRANT_BOUND)[number] | 'Grant';

/** The same through the adapters alone (the Management API ends sessions without a provider). */
export async function revokeGrantThrough(
  adapterOf: (model: GrantModel) => Adapter,
  grantId: string,
): Promise<void> {
  await Promise.all(GRANT_BOUND.map((model) => adapterOf(model).revokeByGrantId(grantId)));
  await adapterOf('Grant').destroy(grantId);
}
