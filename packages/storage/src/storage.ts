import { fileURLToPath } from 'node:url';
import { createSecretBox, type SecretBox } from './crypto.ts';
import { type Database, type DatabaseOptions, openDatabase } from './database.ts';
import { migrate } from './migrator.ts';
import { type ActionRepository, createActionRepository } from './repositories/actions.ts';
import { type AuditLogRepository, createAuditLogRepository } from './repositories/audit-logs.ts';
import { type ClientGrantRepository, createClientGrantRepository } from './repositories/client-grants.ts';
import { type ClientRepository, createClientRepository } from './repositories/clients.ts';
import { type ConnectionRepository, createConnectionRepository } from './repositories/connections.ts';
import { createExecutionRepository, type ExecutionRepository } from './repositories/executions.ts';
import { createFormRepository, type FormRepository } from './repositories/forms.ts';
import { createOidcRecordRepository, type OidcRecordRepository } from './repositories/oidc-records.ts';
import {
  createResourceServerRepository,
  type ResourceServerRepository,
} from './repositories/resource-servers.ts';
import { createRoleRepository, type RoleRepository } from './repositories/roles.ts';
import { createSigningKeyRepository, type SigningKeyRepository } from './repositories/signing-keys.ts';
import { createTenantRepository, type TenantRepository } from './repositories/tenants.ts';
import { createUserAdminRepository, type UserAdminRepository } from './repositories/user-admin.ts';
import { createUserRepository, type UserRepository } from './repositories/users.ts';
import { backfillSkeletons } from './skeleton-backfill.ts';

export interface StorageOptions extends DatabaseOptions {
  /** 32 bytes: encrypts secrets at rest and keys the client-secret HMAC. */
  masterKey: Buffer;
  /** Defaults to the repository's `prisma/migrations` (a built image passes its own copy). */
  migrationsDir?: string | undefined;
}

export interface Storage {
  db: Database;
  kind: Database['kind'];
  secretBox: SecretBox;
  tenants: TenantRepository;
  clients: ClientRepository;
  clientGrants: ClientGrantRepository;
  resourceServers: ResourceServerRepository;
  roles: RoleRepository;
  signingKeys: SigningKeyRepository;
  users: UserRepository;
  /** Management API user administration (search, update, delete, roles, MFA enrollments). */
  userAdmin: UserAdminRepository;
  connections: ConnectionRepository;
  oidcRecords: OidcRecordRepository;
  actions: ActionRepository;
  executions: ExecutionRepository;
  auditLogs: AuditLogRepository;
  forms: FormRepository;
  /** Resolves when the database answers; rejects with ServiceUnavailableError('database') otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const defaultMigrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/** Opens the database, brings its schema up to date and builds the repositories over it. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  // Before touching the database: a bad master key must stop boot without side effects.
  const secretBox = createSecretBox(options.masterKey);
  const db = await openDatabase(options);
  try {
    await migrate(db.sql, options.migrationsDir ?? defaultMigrationsDir, options.log);
    await backfillSkeletons(db.sql, options.log);
  } catch (error) {
    await db.close();
    throw error;
  }
  const { prisma } = db;
  return {
    db,
    kind: db.kind,
    secretBox,
    tenants: createTenantRepository(prisma),
    clients: createClientRepository(prisma, secretBox),
    clientGrants: createClientGrantRepository(prisma),
    resourceServers: createResourceServerRepository(prisma),
    roles: createRoleRepository(prisma),
    signingKeys: createSigningKeyRepository(prisma, secretBox),
    users: createUserRepository(prisma),
    userAdmin: createUserAdminRepository(prisma),
    connections: createConnectionRepository(prisma),
    oidcRecords: createOidcRecordRepository(prisma),
    actions: createActionRepository(prisma, secretBox),
    executions: createExecutionRepository(prisma),
    auditLogs: createAuditLogRepository(prisma),
    forms: createFormRepository(prisma),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
