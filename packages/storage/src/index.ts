export { createSecretBox, type SecretBox } from './crypto.ts';
export { type Database, type DatabaseOptions, openDatabase, type SqlConnection } from './database.ts';
// Only types of the generated client leave this package: features use repositories, never Prisma.
export type { Prisma, PrismaClient } from './generated/prisma/client.ts';
export * from './kv/index.ts';
export { migrate } from './migrator.ts';
export type { Client, ClientRepository, CreateClientInput } from './repositories/clients.ts';
export type {
  CreateResourceServerInput,
  ResourceServer,
  ResourceServerRepository,
  ResourceServerScope,
} from './repositories/resource-servers.ts';
export {
  jwkThumbprint,
  type KeyState,
  type KeyUse,
  SIGNING_ALGS,
  type SigningAlg,
  type SigningKey,
  type SigningKeyRepository,
} from './repositories/signing-keys.ts';
export {
  type CreateTenantInput,
  normalizeDomain,
  type Tenant,
  type TenantDomain,
  type TenantRepository,
} from './repositories/tenants.ts';
export { defaultMigrationsDir, openStorage, type Storage, type StorageOptions } from './storage.ts';
