export {
  ATTACK_PROTECTION_DEFAULTS,
  type AttackProtectionResource,
  attackProtectionChanges,
  attackProtectionOf,
  type BreachedPasswordDetection,
  type BruteForceProtection,
  type SuspiciousIpThrottling,
} from './attack-protection.ts';
export { createSecretBox, type SecretBox } from './crypto.ts';
export { type Database, type DatabaseOptions, openDatabase, type SqlConnection } from './database.ts';
// Only types of the generated client leave this package: features use repositories, never Prisma.
export type { Prisma, PrismaClient } from './generated/prisma/client.ts';
export * from './kv/index.ts';
export { type AdvisoryLock, LOCKS, withAdvisoryLock } from './locks.ts';
export {
  createLoginAttempts,
  DEFAULT_LOGIN_LIMITS,
  LOGIN_LIMITS,
  type LoginAttempt,
  type LoginAttempts,
  type LoginBlock,
  type LoginSubject,
  type LoginVerdict,
} from './login-attempts.ts';
export {
  type LoginLimits,
  loginLimits,
  parseAllowlistEntry,
  type SignupLimit,
  signupLimit,
} from './login-policy.ts';
export { loadMasterKey } from './master-key.ts';
export { migrate } from './migrator.ts';
export {
  checkLength as checkPasswordLength,
  dummyVerify,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  PASSWORD_PARAMS,
  verifyPassword,
} from './passwords.ts';
export {
  ACTION_LIMITS,
  type ActionChanges,
  type ActionDependency,
  type ActionInput,
  type ActionListQuery,
  type ActionRecord,
  type ActionRepository,
  type ActionSecretChange,
  type ActionSecretInput,
  type ActionTriggerRef,
  type ActionVersionRecord,
  type BindingRecord,
  type BindingRef,
  type DeployedAction,
  type DeployResult,
  type SecretInfo,
} from './repositories/actions.ts';
export type {
  AuditEvent,
  AuditLog,
  AuditLogQuery,
  AuditLogRepository,
} from './repositories/audit-logs.ts';
export type { ClientGrant, ClientGrantFilter, ClientGrantRepository } from './repositories/client-grants.ts';
export type {
  Client,
  ClientGrantSummary,
  ClientRepository,
  CreateClientInput,
  UpdateClientInput,
} from './repositories/clients.ts';
export type { Connection, ConnectionFilter, ConnectionRepository } from './repositories/connections.ts';
export type { ExecutionRecord, ExecutionRepository } from './repositories/executions.ts';
export type { Form, FormChanges, FormInput, FormRepository } from './repositories/forms.ts';
export type { OidcPayload, OidcRecordRepository } from './repositories/oidc-records.ts';
export {
  type FamilyListQuery,
  type FamilyPage,
  familyIdOf,
  type RefreshTokenFamily,
  type RefreshTokenTessera,
} from './repositories/refresh-token-families.ts';
export type {
  CreateResourceServerInput,
  ResourceServer,
  ResourceServerRepository,
  ResourceServerScope,
  UpdateResourceServerInput,
} from './repositories/resource-servers.ts';
export type {
  Role,
  RoleMember,
  RolePermission,
  RolePermissionDetail,
  RoleRepository,
} from './repositories/roles.ts';
export {
  COOKIE_ALG,
  type CookieAlg,
  type CookieKey,
  jwkThumbprint,
  type KeyState,
  type KeyUse,
  keysStamp,
  SIGNING_ALGS,
  type SigningAlg,
  type SigningKey,
  type SigningKeyRepository,
  type TokenSigningKey,
} from './repositories/signing-keys.ts';
export {
  type CreateTenantInput,
  normalizeDomain,
  primaryDomain,
  type Tenant,
  type TenantDomain,
  type TenantRepository,
} from './repositories/tenants.ts';
export {
  type AuthenticationMethod,
  PASSWORD_MIN_LENGTH,
  USER_SORT_FIELDS,
  type UserAdminRepository,
  type UserListQuery,
  type UserSortField,
} from './repositories/user-admin.ts';
export { InvalidMetadataError, METADATA_LIMITS } from './repositories/user-metadata.ts';
export type {
  CreateUserInput,
  DatabaseConnection,
  MetadataChanges,
  User,
  UserChanges,
  UserIdentity,
} from './repositories/user-model.ts';
export { DATABASE_CONNECTION, DATABASE_STRATEGY, type UserRepository } from './repositories/users.ts';
export { defaultMigrationsDir, openStorage, type Storage, type StorageOptions } from './storage.ts';
