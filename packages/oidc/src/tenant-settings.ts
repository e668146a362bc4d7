import type { Tenant } from '@tessera/storage';

/** Tenant settings the protocol reads, with Auth0's defaults where a tenant has not set them. */
export interface TenantSettings {
  signupEnabled: boolean;
  requirePkceForConfidentialClients: boolean;
  /** Auth0 "Default Audience": the API of access tokens when an app names none. */
  defaultAudience: string | undefined;
  sessionLifetimeSeconds: number;
  grantLifetimeSeconds: number;
}

export function tenantSettings(tenant: Tenant): TenantSettings {
  const s = tenant.settings as Record<string, unknown>;
  const hours = (value: unknown, fallback: number) =>
    (typeof value === 'number' && value > 0 ? value : fallback) * 3600;
  return {
    signupEnabled: s.signup_enabled === true,
    requirePkceForConfidentialClients: s.require_pkce_for_confidential_clients === true,
    defaultAudience:
      typeof s.default_audience === 'string' && s.default_audience ? s.default_audience : undefined,
    // Auth0's defaults: sessions last 72 hours; refresh-token grants 30 days.
    sessionLifetimeSeconds: hours(s.session_lifetime, 72),
    grantLifetimeSeconds: hours(s.grant_lifetime, 24 * 30),
  };
}
