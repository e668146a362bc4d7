import type { Tenant } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from '../plugin.ts';
import { FIELDS_ONLY, type FieldsQuery, project } from '../query.ts';

/**
 * The tenant settings Tessera acts on, under Auth0's names where Auth0 has one (`friendly_name`,
 * `session_lifetime` in hours, `default_audience`) and Tessera's own
 * otherwise (README "Tenant settings"). PATCH merges: settings not named keep their value, `null`
 * restores the default. Unknown settings are refused rather than stored and ignored.
 *
 * `actions_fetch_allow` (hosts a tenant's actions may fetch although they are private) is not here on
 * purpose: it lifts the egress block that keeps tenant code away from the operator's network (cloud
 * metadata, the database), so only the operator sets it (TESSERA_ACTIONS_FETCH_ALLOW, or the
 * tenant's settings in the database), never a tenant's own management client.
 */
const SETTINGS = {
  session_lifetime: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 8760 },
  grant_lifetime: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 87_600 },
  default_audience: { type: ['string', 'null'], maxLength: 600 },
  signup_enabled: { type: ['boolean', 'null'] },
  require_pkce_for_confidential_clients: { type: ['boolean', 'null'] },
  actions_allow_http_redirects: { type: ['boolean', 'null'] },
} as const;

type SettingsBody = { friendly_name?: string | null } & Record<string, unknown>;

export function tenantSettingsRoutes(api: FastifyInstance, deps: ManagementDeps): void {
  api.get<{ Querystring: FieldsQuery }>(
    '/tenants/settings',
    {
      config: { scopes: ['read:tenant_settings'] },
      schema: { querystring: FIELDS_ONLY },
    },
    // Read fresh: the tenant on the request may be up to 5 s old (the Host → tenant cache).
    async (request) =>
      project(
        toWire((await deps.storage.tenants.findById(request.tenant.id)) ?? request.tenant),
        request.query,
      ),
  );

  api.patch<{ Body: SettingsBody }>(
    '/tenants/settings',
    {
      config: { scopes: ['update:tenant_settings'], audit: 'Update tenant settings' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { friendly_name: { type: ['string', 'null'], maxLength: 255 }, ...SETTINGS },
        },
      },
    },
    async (request) => {
      const { friendly_name: friendlyName, ...settings } = request.body;
      const tenant = await deps.storage.tenants.updateSettings(request.tenant.id, {
        settings,
        ...(friendlyName === undefined ? {} : { friendlyName }),
      });
      // The provider caches session and grant lifetimes; other processes pick the change up within
      // the tenant cache's 5 s.
      deps.invalidateTenant(tenant.id);
      return toWire(tenant);
    },
  );
}

/** What a setting is when the tenant has not set it (what packages/oidc's tenantSettings applies). */
const DEFAULTS: Record<keyof typeof SETTINGS, unknown> = {
  session_lifetime: 72,
  grant_lifetime: 720,
  default_audience: '',
  signup_enabled: false,
  require_pkce_for_confidential_clients: false,
  actions_allow_http_redirects: false,
};

/** Every setting with its effective value, as Auth0 answers (defaults included). */
function toWire(tenant: Tenant): Record<string, unknown> {
  const values = Object.fromEntries(
    Object.entries(DEFAULTS).map(([key, fallback]) => [key, tenant.settings[key] ?? fallback]),
  );
  return { friendly_name: tenant.friendlyName ?? tenant.name, ...values };
}
