import { ConflictError, NotFoundError } from '@tessera/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { checkLength, hashPassword } from '../passwords.ts';
import { isRecordNotFound, isUniqueViolation } from './errors.ts';
import type { Role } from './roles.ts';
import { checkUserChanges, normalizeEmail } from './user-input.ts';
import { checkMetadataContent, checkMetadataSize } from './user-metadata.ts';
import type { MergedMetadata, User, UserChanges } from './user-model.ts';
import { isUsernameViolation, splitMetadata, toUser, withIdentities } from './users.ts';

// What the Management API does to users beyond what login needs: search, update, delete, their roles
// and MFA enrollments. Kept apart from users.ts, which the login flow and triggers depend on.

/** The password policy of database connections (Auth0's "fair" length), for sign-up and admins alike. */
export const PASSWORD_MIN_LENGTH = 8;

/** Fields a user list can be sorted by (Auth0's `sort=<field>:1|-1`). */
export const USER_SORT_FIELDS = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  last_login: 'lastLogin',
  logins_count: 'loginsCount',
  email: 'emailNormalized',
  name: 'name',
  nickname: 'nickname',
  username: 'username',
  user_id: 'userId',
} as const;
export type UserSortField = keyof typeof USER_SORT_FIELDS;

export interface UserListQuery {
  skip: number;
  take: number;
  sort?: { field: UserSortField; ascending: boolean };
  /** Exact, case-insensitive (emails are stored lowercased). */
  email?: string;
  userId?: string;
  /** A connection name. */
  connection?: string;
}

/** One of a user's MFA enrollments (Auth0's authentication method). Secrets never leave storage. */
export interface AuthenticationMethod {
  id: string;
  /** As stored: `otp`, `email`, `phone`, `webauthn-roaming`, `webauthn-platform`, `recovery-code`, `push-notification`. */
  type: string;
  confirmed: boolean;
  name: string | null;
  phoneNumber: string | null;
  email: string | null;
  createdAt: Date;
  lastAuthAt: Date | null;
}

export interface Paged {
  skip: number;
  take: number;
}

export interface UserAdminRepository {
  list(tenantId: string, query: UserListQuery): Promise<{ users: User[]; total: number }>;
  /** Every user with this email (case-insensitive), whatever their connection. */
  listByEmail(tenantId: string, email: string): Promise<User[]>;
  /**
   * All changes in one transaction. NotFoundError for an unknown user; ConflictError naming the email
   * or username another user of the connection has (and nothing written).
   */
  update(tenantId: string, userId: string, changes: UserChanges): Promise<User>;
  /** False when there was no such user. Identities, credentials, roles and enrollments go with it. */
  delete(tenantId: string, userId: string): Promise<boolean>;
  rolesOf(tenantId: string, userId: string, page: Paged): Promise<{ roles: Role[]; total: number }>;
  /** NotFoundError when a role is not the tenant's; removing a role the user lacks is harmless. */
  removeRoles(tenantId: string, userId: string, roleIds: string[]): Promise<void>;
  authenticationMethods(
    tenantId: string,
    userId: string,
    page: Paged,
  ): Promise<{ methods: AuthenticationMethod[]; total: number }>;
  /** False when the user has no such enrollment. */
  deleteAuthenticationMethod(tenantId: string, userId: string, methodId: string): Promise<boolean>;
}

export function createUserAdminRepository(prisma: PrismaClient): UserAdminRepository {
  return {
    async list(tenantId, { skip, take, sort, email, userId, connection }) {
      const where: Prisma.UserWhereInput = {
        tenantId,
        ...(email === undefined ? {} : { emailNormalized: normalizeEmail(email) }),
        ...(userId === undefined ? {} : { userId }),
        ...(connection === undefined ? {} : { connection: { name: connection } }),
      };
      const direction = sort?.ascending === false ? 'desc' : 'asc';
      // user_id breaks ties, so pages neither repeat nor skip users that sort alike.
      const orderBy: Prisma.UserOrderByWithRelationInput[] = [
        { [USER_SORT_FIELDS[sort?.field ?? 'created_at']]: direction },
        { userId: 'asc' },
      ];
      const [rows, total] = await prisma.$transaction([
        prisma.user.findMany({ where, orderBy, skip, take, include: withIdentities }),
        prisma.user.count({ where }),
      ]);
      return { users: rows.map(toUser), total };
    },
    async listByEmail(tenantId, email) {
      const rows = await prisma.user.findMany({
        where: { tenantId, emailNormalized: normalizeEmail(email) },
        orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
        include: withIdentities,
      });
      return rows.map(toUser);
    },
    async update(tenantId, userId, changes) {
      const data = checkUserChanges(changes);
      // docs/security.md#50: what the merge writes is checked here, the merged size in the transaction.
      if (changes.appMetadata !== undefined) checkMetadataContent(changes.appMetadata, 'app_metadata');
      if (changes.userMetadata !== undefined) checkMetadataContent(changes.userMetadata, 'user_metadata');
      // Hashing takes tens of milliseconds: done before the transaction, not while it holds locks.
      if (changes.password !== undefined) checkLength(changes.password);
      const hash = changes.password === undefined ? undefined : await hashPassword(changes.password);
      if (hash) data.lastPasswordReset = new Date();
      const where = { tenantId_userId: { tenantId, userId } };
      try {
        await prisma.$transaction(async (tx) => {
          await tx.user.update({ where, data });
          if (hash) {
            await tx.passwordCredential.upsert({
              where,
              create: { tenantId, userId, hash },
              update: { hash },
            });
          }
          if (changes.appMetadata || changes.userMetadata) {
            await mergeMetadataIn(tx, tenantId, userId, changes.appMetadata, changes.userMetadata);
          }
        });
      } catch (error) {
        if (isRecordNotFound(error)) throw new NotFoundError('The user does not exist.', { cause: error });
        if (isUsernameViolation(error))
          throw new ConflictError('The username provided is in use already.', { cause: error });
        if (isUniqueViolation(error))
          throw new ConflictError('The specified new email already exists', { cause: error });
        throw error;
      }
      return toUser(await prisma.user.findUniqueOrThrow({ where, include: withIdentities }));
    },
    async delete(tenantId, userId) {
      const { count } = await prisma.user.deleteMany({ where: { tenantId, userId } });
      return count > 0;
    },
    async rolesOf(tenantId, userId, { skip, take }) {
      const where = { tenantId, users: { some: { tenantId, userId } } };
      const [rows, total] = await prisma.$transaction([
        prisma.role.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], skip, take }),
        prisma.role.count({ where }),
      ]);
      return {
        roles: rows.map((row) => ({ id: row.id, name: row.name, description: row.description })),
        total,
      };
    },
    async removeRoles(tenantId, userId, roleIds) {
      const wanted = [...new Set(roleIds)];
      // Role ids are global: a role of another tenant must read as unknown, not be silently skipped.
      await prisma.$transaction(async (tx) => {
        const owned = await tx.role.count({ where: { tenantId, id: { in: wanted } } });
        if (owned !== wanted.length) throw new NotFoundError('The role does not exist.');
        await tx.userRole.deleteMany({ where: { tenantId, userId, roleId: { in: wanted } } });
      });
    },
    async authenticationMethods(tenantId, userId, { skip, take }) {
      const where = { tenantId, userId };
      const [rows, total] = await prisma.$transaction([
        prisma.mfaEnrollment.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip, take }),
        prisma.mfaEnrollment.count({ where }),
      ]);
      const methods = rows.map((row) => ({
        id: row.id,
        type: row.type,
        confirmed: row.status === 'confirmed',
        name: row.name,
        phoneNumber: row.phoneNumber,
        email: row.email,
        createdAt: row.createdAt,
        lastAuthAt: row.lastAuthAt,
      }));
      return { methods, total };
    },
    async deleteAuthenticationMethod(tenantId, userId, methodId) {
      const { count } = await prisma.mfaEnrollment.deleteMany({ where: { tenantId, userId, id: methodId } });
      return count > 0;
    },
  };
}

/** Auth0's metadata merge in SQL, so a concurrent merge of other keys is never lost. */
async function mergeMetadataIn(
  tx: Prisma.TransactionClient,
  tenantId: string,
  userId: string,
  app: Record<string, unknown> | undefined,
  user: Record<string, unknown> | undefined,
): Promise<void> {
  // Auth0: "patching the metadata itself with an empty object removes the metadata completely".
  const clearApp = app !== undefined && Object.keys(app).length === 0;
  const clearUser = user !== undefined && Object.keys(user).length === 0;
  const [appSet, appRemoved] = splitMetadata(app ?? {});
  const [userSet, userRemoved] = splitMetadata(user ?? {});
  const [merged] = await tx.$queryRaw<MergedMetadata[]>`
    UPDATE users SET
      app_metadata = CASE WHEN ${clearApp} THEN '{}'::jsonb
        ELSE (app_metadata || ${appSet}::jsonb) - ${appRemoved}::text[] END,
      user_metadata = CASE WHEN ${clearUser} THEN '{}'::jsonb
        ELSE (user_metadata || ${userSet}::jsonb) - ${userRemoved}::text[] END,
      updated_at = now()
    WHERE tenant_id = ${tenantId} AND user_id = ${userId}
    RETURNING app_metadata, user_metadata`;
  // docs/security.md#50: the merged result is what must fit; throwing rolls the whole update back.
  if (merged !== undefined && app !== undefined) checkMetadataSize(merged.app_metadata, 'app_metadata');
  if (merged !== undefined && user !== undefined) checkMetadataSize(merged.user_metadata, 'user_metadata');
}
