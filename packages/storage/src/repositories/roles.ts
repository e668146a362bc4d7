import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from './errors.ts';
import { newRoleId } from './ids.ts';
import { lockDeclaredScopes } from './resource-servers.ts';

export interface Role {
  id: string;
  name: string;
  description: string | null;
}

export interface RolePermission {
  /** The API's identifier (the access token audience). */
  audience: string;
  permission: string;
}

/** A role's permission as the Management API lists it: with the API's name and the scope's description. */
export interface RolePermissionDetail extends RolePermission {
  apiName: string;
  description: string;
}

/** A user holding a role (Auth0's role members list). */
export interface RoleMember {
  userId: string;
  email: string | null;
  name: string | null;
  picture: string | null;
}

export interface Page {
  skip: number;
  take: number;
}

/** Auth0 RBAC: roles grant permissions (scopes of an API) to the users they are assigned to. */
export interface RoleRepository {
  /** ConflictError for a name the tenant already uses. */
  create(tenantId: string, input: { name: string; description?: string }): Promise<Role>;
  /**
   * Only scopes their API declares, checked under the API's row lock in the same transaction (a
   * concurrent scope removal cannot slip between the check and the write). NotFoundError for an
   * unknown role, UnknownApiError (a NotFoundError with code `inexistent_resource_server`) for an
   * API the tenant does not have, InvalidRequestError for an undeclared scope; nothing is added then.
   */
  addPermissions(tenantId: string, roleId: string, permissions: RolePermission[]): Promise<void>;
  /** NotFoundError for an unknown role or user. Assigning twice is harmless. */
  assign(tenantId: string, userId: string, roleIds: string[]): Promise<void>;
  /** The names of the user's roles (Auth0's `event.authorization.roles`). */
  roleNamesOf(tenantId: string, userId: string): Promise<string[]>;
  /** The distinct permissions the user holds on one API through all of their roles, sorted. */
  permissionsOf(tenantId: string, userId: string, audience: string): Promise<string[]>;
  findById(tenantId: string, roleId: string): Promise<Role | undefined>;
  /** By name; `nameFilter` keeps roles whose name contains it (case-insensitive, Auth0's `name_filter`). */
  list(tenantId: string, query: Page & { nameFilter?: string }): Promise<{ roles: Role[]; total: number }>;
  /** ConflictError for a name another role uses; NotFoundError for an unknown role. */
  update(
    tenantId: string,
    roleId: string,
    patch: { name?: string; description?: string | null },
  ): Promise<Role>;
  /** With its permissions and assignments (ON DELETE CASCADE). NotFoundError for an unknown role. */
  delete(tenantId: string, roleId: string): Promise<void>;
  /** NotFoundError for an unknown role. Sorted by API, then permission. */
  listPermissions(
    tenantId: string,
    roleId: string,
    page: Page,
  ): Promise<{ permissions: RolePermissionDetail[]; total: number }>;
  /** NotFoundError for an unknown role; permissions the role does not have are ignored. */
  removePermissions(tenantId: string, roleId: string, permissions: RolePermission[]): Promise<void>;
  /**
   * The role's users by user id: `take` after the user id `from` (Auth0's checkpoint), or after
   * skipping `skip`; `total` counts them all. NotFoundError for an unknown role.
   */
  members(
    tenantId: string,
    roleId: string,
    query: { from?: string; skip?: number; take: number },
  ): Promise<{ members: RoleMember[]; total: number }>;
  /** NotFoundError for an unknown role or when one of the users is not in the tenant (nothing is added then). */
  addMembers(tenantId: string, roleId: string, userIds: string[]): Promise<void>;
}

export function createRoleRepository(prisma: PrismaClient): RoleRepository {
  // Role ids are global, so the foreign keys alone would let one tenant attach another tenant's role.
  async function requireOwnRoles(tenantId: string, roleIds: string[]) {
    const wanted = [...new Set(roleIds)];
    const owned = await prisma.role.count({ where: { tenantId, id: { in: wanted } } });
    if (owned !== wanted.length) throw new NotFoundError('The role does not exist.');
  }

  return {
    async create(tenantId, { name, description }) {
      try {
        const row = await prisma.role.create({
          data: { id: newRoleId(), tenantId, name, description: description ?? null },
        });
        return { id: row.id, name: row.name, description: row.description };
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(`A role named "${name}" already exists.`, { cause: error });
        throw error;
      }
    },
    async addPermissions(tenantId, roleId, permissions) {
      await requireOwnRoles(tenantId, [roleId]);
      try {
        await prisma.$transaction(async (tx) => {
          const declared = await lockDeclaredScopes(
            tx,
            tenantId,
            permissions.map((p) => p.audience),
            permissions.map((p) => p.permission),
          );
          const undeclared = permissions.find((p) => !declared.get(p.audience)?.has(p.permission));
          if (undeclared) {
            throw new InvalidRequestError(
              `'${undeclared.permission}' is not a permission of the resource server '${undeclared.audience}'.`,
            );
          }
          await tx.rolePermission.createMany({
            data: permissions.map((p) => ({
              tenantId,
              roleId,
              resourceServerIdentifier: p.audience,
              permissionName: p.permission,
            })),
            skipDuplicates: true,
          });
        });
      } catch (error) {
        // The role deleted since requireOwnRoles (the APIs are locked).
        if (isForeignKeyViolation(error))
          throw new NotFoundError('The role does not exist.', { cause: error });
        throw error;
      }
    },
    async assign(tenantId, userId, roleIds) {
      await requireOwnRoles(tenantId, roleIds);
      try {
        await prisma.userRole.createMany({
          data: roleIds.map((roleId) => ({ tenantId, userId, roleId })),
          skipDuplicates: true,
        });
      } catch (error) {
        if (isForeignKeyViolation(error))
          throw new NotFoundError('The user or the role does not exist.', { cause: error });
        throw error;
      }
    },
    async roleNamesOf(tenantId, userId) {
      const rows = await prisma.userRole.findMany({
        where: { tenantId, userId },
        select: { role: { select: { name: true } } },
      });
      return rows.map((row) => row.role.name).sort();
    },
    async permissionsOf(tenantId, userId, audience) {
      const rows = await prisma.rolePermission.findMany({
        where: {
          tenantId,
          resourceServerIdentifier: audience,
          role: { users: { some: { tenantId, userId } } },
        },
        select: { permissionName: true },
        distinct: ['permissionName'],
      });
      return rows.map((row) => row.permissionName).sort();
    },
    async findById(tenantId, roleId) {
      const row = await prisma.role.findFirst({ where: { tenantId, id: roleId } });
      return row ? toRole(row) : undefined;
    },
    async list(tenantId, { skip, take, nameFilter }) {
      const where = {
        tenantId,
        // Prisma's `contains` is a LIKE pattern: `%` and `_` in the filter are taken literally, as
        // Auth0's name_filter takes them (Postgres's LIKE escapes with a backslash by default).
        ...(nameFilter
          ? { name: { contains: nameFilter.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' as const } }
          : {}),
      };
      const [rows, total] = await prisma.$transaction([
        prisma.role.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }], skip, take }),
        prisma.role.count({ where }),
      ]);
      return { roles: rows.map(toRole), total };
    },
    async update(tenantId, roleId, patch) {
      try {
        return toRole(await prisma.role.update({ where: { id: roleId, tenantId }, data: patch }));
      } catch (error) {
        if (isRecordNotFound(error)) throw new NotFoundError('The role does not exist.', { cause: error });
        if (isUniqueViolation(error))
          throw new ConflictError(`A role named "${patch.name}" already exists.`, { cause: error });
        throw error;
      }
    },
    async delete(tenantId, roleId) {
      const { count } = await prisma.role.deleteMany({ where: { tenantId, id: roleId } });
      if (count === 0) throw new NotFoundError('The role does not exist.');
    },
    async listPermissions(tenantId, roleId, { skip, take }) {
      await requireOwnRoles(tenantId, [roleId]);
      const where = { tenantId, roleId };
      const [rows, total] = await prisma.$transaction([
        prisma.rolePermission.findMany({
          where,
          orderBy: [{ resourceServerIdentifier: 'asc' }, { permissionName: 'asc' }],
          skip,
          take,
          include: { resourceServer: { select: { id: true, name: true } } },
        }),
        prisma.rolePermission.count({ where }),
      ]);
      const scopes = await prisma.resourceServerScope.findMany({
        where: {
          tenantId,
          OR: rows.map((row) => ({ resourceServerId: row.resourceServer.id, value: row.permissionName })),
        },
      });
      const described = new Map(scopes.map((s) => [`${s.resourceServerId} ${s.value}`, s.description]));
      return {
        permissions: rows.map((row) => ({
          audience: row.resourceServerIdentifier,
          permission: row.permissionName,
          apiName: row.resourceServer.name,
          description: described.get(`${row.resourceServer.id} ${row.permissionName}`) ?? '',
        })),
        total,
      };
    },
    async removePermissions(tenantId, roleId, permissions) {
      await requireOwnRoles(tenantId, [roleId]);
      await prisma.rolePermission.deleteMany({
        where: {
          tenantId,
          roleId,
          OR: permissions.map((p) => ({
            resourceServerIdentifier: p.audience,
            permissionName: p.permission,
          })),
        },
      });
    },
    async members(tenantId, roleId, { from, skip, take }) {
      await requireOwnRoles(tenantId, [roleId]);
      const where = { tenantId, roleId };
      const [rows, total] = await prisma.$transaction([
        prisma.userRole.findMany({
          where: from === undefined ? where : { ...where, userId: { gt: from } },
          orderBy: { userId: 'asc' },
          skip,
          take,
          select: { user: { select: { userId: true, email: true, name: true, picture: true } } },
        }),
        prisma.userRole.count({ where }),
      ]);
      return { members: rows.map(({ user }) => user), total };
    },
    async addMembers(tenantId, roleId, userIds) {
      await requireOwnRoles(tenantId, [roleId]);
      const wanted = [...new Set(userIds)];
      const found = await prisma.user.count({ where: { tenantId, userId: { in: wanted } } });
      if (found !== wanted.length) throw new NotFoundError('The user does not exist.');
      try {
        // One statement: all users are added or (a user or the role deleted meanwhile) none.
        await prisma.userRole.createMany({
          data: wanted.map((userId) => ({ tenantId, userId, roleId })),
          skipDuplicates: true,
        });
      } catch (error) {
        if (isForeignKeyViolation(error))
          throw new NotFoundError('The user does not exist.', { cause: error });
        throw error;
      }
    },
  };
}

function toRole(row: { id: string; name: string; description: string | null }): Role {
  return { id: row.id, name: row.name, description: row.description };
}
