import type { ClientGrantSummary, ResourceServer, Storage } from '@tessera/storage';
import { createTtlCache } from './ttl-cache.ts';

/** How long APIs and client grants are reused; a change shows within this time on every process. */
const LOOKUP_CACHE_MS = 5_000;

export interface TenantLookups {
  api(identifier: string): Promise<ResourceServer | undefined>;
  clientGrants(clientId: string): Promise<ClientGrantSummary[]>;
  /** Not cached: a role change must reach the next token at once. */
  permissionsOf(userId: string, audience: string): Promise<string[]>;
}

/** The tenant data every token request reads, behind short caches (one set per tenant provider). */
export function createTenantLookups(storage: Storage, tenantId: string): TenantLookups {
  const apis = createTtlCache<ResourceServer>(LOOKUP_CACHE_MS);
  const grants = createTtlCache<ClientGrantSummary[]>(LOOKUP_CACHE_MS);
  return {
    api: (identifier) =>
      apis.get(identifier, () => storage.resourceServers.findByIdentifier(tenantId, identifier)),
    clientGrants: async (clientId) =>
      (await grants.get(clientId, () => storage.clients.listGrants(tenantId, clientId))) ?? [],
    permissionsOf: (userId, audience) => storage.roles.permissionsOf(tenantId, userId, audience),
  };
}
