import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { checkLength, hashPassword } from '../passwords.ts';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from './errors.ts';
import { alphanumeric } from './ids.ts';
import { checkUserInput, normalizeEmail, normalizeUsername } from './user-input.ts';
import { checkMetadataContent, checkMetadataSize } from './user-metadata.ts';
import type {
  CreateUserInput,
  DatabaseConnection,
  MergedMetadata,
  MetadataChanges,
  User,
} from './user-model.ts';

// Users of database connections, in Auth0's shape (`event.user`, Management API `/users`). Longer
// than most repositories because the mapping to the Auth0 user shape is spelled out here, once; the
// shape itself lives in user-model.ts, the input rules in user-input.ts.

/** The name Auth0 gives every tenant's first database connection. */
export const DATABASE_CONNECTION = 'Username-Password-Authentication';
export const DATABASE_STRATEGY = 'auth0';

export interface UserRepository {
  /** The tenant's `Username-Password-Authentication` connection, created on first use (idempotent). */
  ensureDatabaseConnection(tenantId: string): Promise<DatabaseConnection>;
  /**
   * User, identity and password credential in one transaction. ConflictError('The user already exists.')
   * for a taken email, ConflictError('The username provided is in use already.') for a taken username.
   */
  create(tenantId: string, input: CreateUserInput): Promise<User>;
  findById(tenantId: string, userId: string): Promise<User | undefined>;
  /** Case-insensitive, within one database connection (the default one unless named). */
  findByEmail(tenantId: string, email: string, connection?: string): Promise<User | undefined>;
  /**
   * The user an email or username designates, with its password hash; undefined when there is none
   * or it has no password (the caller then runs `dummyVerify`). An identifier containing `@` is tried
   * as an email first, then as a username. Blocked users are returned: as in Auth0, the caller says
   * "blocked" only after the password checked out.
   */
  findForLogin(
    tenantId: string,
    identifier: string,
    connection?: string,
  ): Promise<{ user: User; passwordHash: string } | undefined>;
  /** After a successful login: `logins_count + 1` computed by the database, so concurrent logins all count. */
  recordLogin(tenantId: string, userId: string, login: { ip: string | null; at: Date }): Promise<User>;
  /**
   * Applies metadata changes in one statement: each key set to its value, or removed when the value is
   * null (Auth0's object-format metadata: top-level keys are replaced whole). NotFoundError when the
   * user does not exist. Concurrent merges of different keys do not lose each other's writes.
   */
  mergeMetadata(tenantId: string, userId: string, changes: MetadataChanges): Promise<void>;
  /** Replaces the stored hash (e.g. after `needsRehash`), leaving `last_password_reset` alone. */
  updatePasswordHash(tenantId: string, userId: string, hash: string): Promise<void>;
}

export const withIdentities = {
  identities: { include: { connection: { select: { name: true } } }, orderBy: { createdAt: 'asc' as const } },
} satisfies Prisma.UserInclude;
export type UserRow = Prisma.UserGetPayload<{ include: typeof withIdentities }>;

export function createUserRepository(prisma: PrismaClient): UserRepository {
  const ensureDatabaseConnection = async (tenantId: string): Promise<DatabaseConnection> => {
    const where = { tenantId_name: { tenantId, name: DATABASE_CONNECTION } };
    const existing = await prisma.connection.findUnique({ where });
    if (existing) return toConnection(existing);
    try {
      const data = { id: `con_${alphanumeric(16)}`, tenantId, name: DATABASE_CONNECTION };
      return toConnection(await prisma.connection.create({ data: { ...data, strategy: DATABASE_STRATEGY } }));
    } catch (error) {
      // Another process created it between our read and our write: theirs is as good as ours.
      if (!isUniqueViolation(error)) throw error;
      return toConnection(await prisma.connection.findUniqueOrThrow({ where }));
    }
  };

  /** A database connection by name, without creating any but the default one. */
  const databaseConnection = async (tenantId: string, name = DATABASE_CONNECTION) => {
    if (name === DATABASE_CONNECTION) return ensureDatabaseConnection(tenantId);
    const row = await prisma.connection.findUnique({ where: { tenantId_name: { tenantId, name } } });
    if (!row || row.strategy !== DATABASE_STRATEGY) {
      throw new InvalidRequestError('The connection does not exist.');
    }
    return toConnection(row);
  };

  const findInConnection = async (tenantId: string, connectionId: string, where: Prisma.UserWhereInput) =>
    prisma.user.findFirst({
      where: { ...where, tenantId, connectionId },
      include: { ...withIdentities, password: { select: { hash: true } } },
    });

  return {
    ensureDatabaseConnection,
    async create(tenantId, input) {
      const fields = checkUserInput(input);
      // Hashing takes tens of milliseconds: done before the transaction, not while it holds locks.
      if (input.password !== undefined) checkLength(input.password);
      const connection = await databaseConnection(tenantId, input.connection);
      const hash = input.password === undefined ? undefined : await hashPassword(input.password);
      const id = randomBytes(12).toString('hex');
      try {
        // One statement tree: Prisma runs nested writes in a single transaction.
        const row = await prisma.user.create({
          data: {
            ...fields,
            blocked: input.blocked === true,
            phoneVerified: input.phoneNumber !== undefined && input.phoneVerified === true,
            userId: `auth0|${id}`,
            tenantId,
            connectionId: connection.id,
            identities: {
              create: { connectionId: connection.id, provider: 'auth0', providerUserId: id, isSocial: false },
            },
            ...(hash ? { password: { create: { hash } } } : {}),
          },
          include: withIdentities,
        });
        return toUser(row);
      } catch (error) {
        // Auth0's messages for the two identifiers a database user must keep unique. A look-alike
        // (same skeleton) gets the very answer a taken identifier gets (docs/security.md#49).
        if (isUsernameViolation(error))
          throw new ConflictError('The username provided is in use already.', { cause: error });
        if (isUniqueViolation(error)) throw new ConflictError('The user already exists.', { cause: error });
        throw error;
      }
    },
    async findById(tenantId, userId) {
      const row = await prisma.user.findUnique({
        where: { tenantId_userId: { tenantId, userId } },
        include: withIdentities,
      });
      return row ? toUser(row) : undefined;
    },
    async findByEmail(tenantId, email, connection) {
      const { id } = await databaseConnection(tenantId, connection);
      const row = await findInConnection(tenantId, id, { emailNormalized: normalizeEmail(email) });
      return row ? toUser(row) : undefined;
    },
    async findForLogin(tenantId, identifier, connection) {
      const { id } = await databaseConnection(tenantId, connection);
      // Normalized before looking for an `@`: a fullwidth `＠` is one too.
      const value = normalizeEmail(identifier);
      const byEmail = value.includes('@')
        ? await findInConnection(tenantId, id, { emailNormalized: value })
        : null;
      const row = byEmail ?? (await findInConnection(tenantId, id, { username: normalizeUsername(value) }));
      if (!row?.password) return undefined;
      return { user: toUser(row), passwordHash: row.password.hash };
    },
    async recordLogin(tenantId, userId, { ip, at }) {
      try {
        const row = await prisma.user.update({
          where: { tenantId_userId: { tenantId, userId } },
          data: { loginsCount: { increment: 1 }, lastLogin: at, lastIp: ip },
          include: withIdentities,
        });
        return toUser(row);
      } catch (error) {
        throw notFound(error, userId);
      }
    },
    async mergeMetadata(tenantId, userId, changes) {
      // docs/security.md#50: the changes are checked first, the merged size inside a transaction whose
      // rollback leaves the user as it was when the result would not fit (InvalidMetadataError).
      checkMetadataContent(changes.app, 'app_metadata');
      checkMetadataContent(changes.user, 'user_metadata');
      const [appSet, appRemoved] = splitMetadata(changes.app);
      const [userSet, userRemoved] = splitMetadata(changes.user);
      await prisma.$transaction(async (tx) => {
        const [merged] = await tx.$queryRaw<MergedMetadata[]>`
          UPDATE users SET
            app_metadata = (app_metadata || ${appSet}::jsonb) - ${appRemoved}::text[],
            user_metadata = (user_metadata || ${userSet}::jsonb) - ${userRemoved}::text[],
            updated_at = now()
          WHERE tenant_id = ${tenantId} AND user_id = ${userId}
          RETURNING app_metadata, user_metadata`;
        if (merged === undefined) throw new NotFoundError(`user ${userId} not found`);
        if (Object.keys(changes.app).length > 0) checkMetadataSize(merged.app_metadata, 'app_metadata');
        if (Object.keys(changes.user).length > 0) checkMetadataSize(merged.user_metadata, 'user_metadata');
      });
    },
    async updatePasswordHash(tenantId, userId, hash) {
      try {
        await prisma.passwordCredential.upsert({
          where: { tenantId_userId: { tenantId, userId } },
          create: { tenantId, userId, hash },
          update: { hash },
        });
      } catch (error) {
        // A credential for a user that does not exist fails its foreign key.
        throw isForeignKeyViolation(error) ? new NotFoundError(`The user ${userId} does not exist.`) : error;
      }
    },
  };
}

/**
 * Metadata changes as SQL parameters: the keys to set (as a JSON object) and the keys to remove (the
 * ones set to null). defineProperty, not assignment: a `__proto__` key stays an ordinary key.
 */
export function splitMetadata(values: Record<string, unknown>): readonly [string, string[]] {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === null) removed.push(key);
    else Object.defineProperty(set, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return [JSON.stringify(set), removed] as const;
}

/** A unique violation of the username or of its skeleton; any other one concerns the email. */
export function isUsernameViolation(error: unknown): boolean {
  return isUniqueViolation(error, 'username') || isUniqueViolation(error, 'username_skeleton');
}

/** Prisma's "record to update not found" (P2025) as our NotFoundError; anything else unchanged. */
function notFound(error: unknown, userId: string): unknown {
  if (isRecordNotFound(error)) {
    return new NotFoundError(`The user ${userId} does not exist.`);
  }
  return error;
}

function toConnection(row: { id: string; name: string; strategy: string }): DatabaseConnection {
  return { id: row.id, name: row.name, strategy: row.strategy };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toUser(row: UserRow): User {
  return {
    user_id: row.userId,
    email: row.email,
    email_verified: row.emailVerified,
    username: row.username,
    phone_number: row.phoneNumber,
    phone_verified: row.phoneVerified,
    name: row.name,
    given_name: row.givenName,
    family_name: row.familyName,
    nickname: row.nickname,
    picture: row.picture,
    user_metadata: row.userMetadata as Record<string, unknown>,
    app_metadata: row.appMetadata as Record<string, unknown>,
    identities: row.identities.map((identity) => ({
      connection: identity.connection.name,
      provider: identity.provider,
      user_id: identity.providerUserId,
      isSocial: identity.isSocial,
    })),
    blocked: row.blocked,
    logins_count: row.loginsCount,
    last_login: iso(row.lastLogin),
    last_ip: row.lastIp,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    last_password_reset: iso(row.lastPasswordReset),
  };
}
