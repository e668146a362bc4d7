import type Provider from 'oidc-provider';
import { revokeGrant } from './grant-revocation.ts';

type Session = InstanceType<Provider['Session']>;

/**
 * What ending a browser session means, at `/v2/logout` and at `/oidc/logout` (as oidc-provider's
 * confirmation step does it with `logout=yes`): the grants bound to the session are revoked, with the
 * tokens issued under them (docs/security.md#27), except offline_access ones, which persist as in
 * Auth0; then the session record is destroyed. Clearing the cookie is the caller's, in its response.
 */
export async function endSession(provider: Provider, session: Session): Promise<void> {
  for (const authorization of Object.values(session.authorizations ?? {})) {
    const { grantId, persistsLogout } = authorization as { grantId?: string; persistsLogout?: boolean };
    if (grantId && !persistsLogout) await revokeGrant(provider, grantId);
  }
  await session.destroy();
}
