import { createHash } from 'node:crypto';
import type { Tenant } from '@tessera/storage';
import { featureNotEnabled } from './unavailable.ts';

/**
 * Auth0's global client ("All Applications"): every Auth0 tenant has one, and Auth0's deploy CLI reads
 * it (`GET /clients?is_global=true`) on every export to find the custom login page, failing the whole
 * run without it. Tessera has no legacy global client and no custom login page, so it answers one
 * read-only entry with nothing to export: no `custom_login_page`, listed only by `is_global=true` and
 * readable by its id; writes answer 403 (docs/management-api.md#where-the-management-api-differs-from-auth0).
 */
export function globalClient(tenant: Pick<Tenant, 'id' | 'name'>): Record<string, unknown> {
  return {
    tenant: tenant.name,
    global: true,
    client_id: globalClientId(tenant),
    name: 'All Applications',
    is_first_party: true,
    oidc_conformant: true,
    callbacks: [],
    custom_login_page_on: false,
  };
}

/** The same id on every request and process: 32 characters, as Auth0's client ids. */
export const globalClientId = (tenant: Pick<Tenant, 'id'>) =>
  createHash('sha256')
    .update(`tessera global client ${tenant.id}`)
    .digest('base64url')
    .replace(/[-_]/g, '')
    .slice(0, 32);

export const globalClientIsReadOnly = () =>
  featureNotEnabled('The global client ("All Applications") is read-only: Tessera has no custom login page');
