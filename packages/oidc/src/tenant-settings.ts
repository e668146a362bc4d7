import type { Tenant } from '@tessera/storage';

/** Tenant settings the protocol reads, with Auth0's defaults where a tenant has not set them. */
export interface TenantSettings {
  signupEnabled: boolean;
  requirePkceForConfidentialClients: boolean;
  /** Auth0 "Default Audience": the API of access tokens when an app names none. */
  defaultAudience: string | undefined;
  /** Auth0's `session_lifetime`: a session ends this long after its login, however active. */
  sessionLifetimeSeconds: number;
  /** Auth0's `idle_session_lifetime`: a session unused this long ends. */
  idleSessionLifetimeSeconds: number;
  grantLifetimeSeconds: number;
  /** What the tenant lets its post-login actions do beyond the defaults. */
  actions: {
    /** `api.redirect.sendUserTo` may use plain http: to any host (default: loopback only). */
    allowHttpRedirects: boolean;
    /** Hosts `fetch` may reach even when they resolve to private addresses (added to the operator's). */
    egressAllowHosts: string[];
  };
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
    // Auth0's defaults: a session lasts at most 7 days and ends after 3 days unused; refresh-token
    // grants 30 days. (The Management API shows the same defaults: routes/tenant-settings-schema.ts.)
    sessionLifetimeSeconds: hours(s.session_lifetime, 168),
    idleSessionLifetimeSeconds: hours(s.idle_session_lifetime, 72),
    grantLifetimeSeconds: hours(s.grant_lifetime, 24 * 30),
    actions: {
      allowHttpRedirects: s.actions_allow_http_redirects === true,
      egressAllowHosts: Array.isArray(s.actions_fetch_allow)
        ? s.actions_fetch_allow.filter((host): host is string => typeof host === 'string')
        : [],
    },
  };
}
