import { isJsonObject } from '@tessera/core';
import type { Tenant } from '@tessera/storage';
import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { invalidBody } from '../errors.ts';
import { FIELDS_ONLY, project } from '../query.ts';
import { EFFECTIVE, IN_MINUTES, SETTINGS_ANSWER, SETTINGS_BODY, STORED } from './tenant-settings-schema.ts';

/**
 * Auth0's `/tenants/settings`: the settings Tessera acts on (EFFECTIVE, docs/management-api.md#tenant-settings),
 * Auth0's others stored and returned as sent, and Tessera's own. PATCH merges: settings not named
 * keep their value (`flags` merge flag by flag, as Auth0's do), `null` restores the default. Unknown
 * settings are refused rather than stored and ignored.
 *
 * `actions_fetch_allow` (hosts a tenant's actions may fetch although they are private) is not here on
 * purpose: it lifts the egress block that keeps tenant code away from the operator's network (cloud
 * metadata, the database), so only the operator sets it (TESSERA_ACTIONS_FETCH_ALLOW, or the
 * tenant's settings in the database), never a tenant's own management client.
 */
// The body is typed here, not inferred: SETTINGS_BODY's properties are built from the settings
// tables (Object.fromEntries), which json-schema-to-ts cannot see through.
type SettingsBody = { friendly_name?: string | null } & Record<string, unknown>;

export function tenantSettingsRoutes(api: ManagementApi, deps: ManagementDeps): void {
  const { storage } = deps;

  api.get(
    '/tenants/settings',
    {
      config: { scopes: ['read:tenant_settings'] },
      schema: { querystring: FIELDS_ONLY, response: { 200: SETTINGS_ANSWER } },
    },
    // Read fresh: the tenant on the request may be up to 5 s old (the Host → tenant cache).
    async (request) =>
      project(toWire((await storage.tenants.findById(request.tenant.id)) ?? request.tenant), request.query),
  );

  api.patch<{ Body: SettingsBody }>(
    '/tenants/settings',
    {
      config: { scopes: ['update:tenant_settings'], audit: 'Update tenant settings' },
      schema: { body: SETTINGS_BODY, response: { 200: SETTINGS_ANSWER } },
    },
    async (request) => {
      const { friendly_name: friendlyName, ...body } = request.body;
      const settings = inHours(body);
      const current = (await storage.tenants.findById(request.tenant.id)) ?? request.tenant;
      if (isJsonObject(settings.flags)) settings.flags = { ...flagsOf(current), ...settings.flags };
      if (typeof settings.default_directory === 'string' && settings.default_directory !== '') {
        await mustBeConnection(deps, request.tenant.id, settings.default_directory);
      }
      const tenant = await storage.tenants.updateSettings(request.tenant.id, {
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

/** `*_in_minutes` become their hours twin (the stored and returned form); never both at once. */
function inHours(body: Record<string, unknown>): Record<string, unknown> {
  const settings = { ...body };
  for (const [minutesName, hoursName] of Object.entries(IN_MINUTES)) {
    if (!(minutesName in settings)) continue;
    if (hoursName in settings)
      throw invalidBody(
        `Payload validation error: '${minutesName}' cannot be specified together with '${hoursName}'.`,
      );
    const minutes = settings[minutesName];
    settings[hoursName] = typeof minutes === 'number' ? minutes / 60 : null;
    delete settings[minutesName];
  }
  return settings;
}

/** Auth0 checks the default directory names a connection; so does Tessera (the password grant uses it). */
async function mustBeConnection(deps: ManagementDeps, tenantId: string, name: string) {
  await deps.storage.users.ensureDatabaseConnection(tenantId);
  if ((await deps.storage.connections.list(tenantId, { name })).length === 0) {
    throw invalidBody(
      `Payload validation error: no connection is named '${name}' on property default_directory.`,
    );
  }
}

const flagsOf = (tenant: Tenant) => {
  const flags = (tenant.settings as Record<string, unknown>).flags;
  return isJsonObject(flags) ? flags : {};
};

/**
 * Every setting Tessera acts on with its effective value (defaults included, as Auth0 answers), then
 * the Auth0 settings the tenant has stored.
 */
function toWire(tenant: Tenant): Record<string, unknown> {
  const settings = tenant.settings as Record<string, unknown>;
  const effective = Object.entries(EFFECTIVE).map(([name, { fallback }]) => [
    name,
    settings[name] ?? fallback,
  ]);
  const stored = Object.keys(STORED)
    .filter((name) => settings[name] !== undefined && settings[name] !== null)
    .map((name) => [name, settings[name]]);
  return {
    friendly_name: tenant.friendlyName ?? tenant.name,
    ...Object.fromEntries(effective),
    ...Object.fromEntries(stored),
  };
}
