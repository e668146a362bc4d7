import { ConflictError, NotFoundError } from '@tessera/core';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from './errors.ts';
import { newRoleId } from './ids.ts';

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

/** Auth0 RBAC: roles grant permissions (scopes of an API) to the users they are assigned to. */
export interface RoleRepository {
  /** ConflictError for a name the tenant already uses. */
  create(tenantId: string, input: { name: string; description?: string }): Promise<Role>;
  /** NotFoundError for an unknown role or an API the tenant does not have. */
  addPermissions(tenantId: string, roleId: string, permissions: RolePermission[]): Promise<void>;
  /** NotFoundError for an unknown role or user. Assigning twice is harmless. */
  assign(tenantId: string, userId: string, roleIds: string[]): Promise<void>;
  /** The names of the user's roles (Auth0's `event.authorization.roles`). */
  roleNamesOf(tenantId: string, userId: string): Promise<string[]>;
  /** The distinct permissions the user holds on one API through all of their roles, sorted. */
  permissionsOf(tenantId: string, userId: string, audience: string): Promise<string[]>;
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
        await prisma.rolePermission.createMany({
          data: permissions.map((p) => ({
            tenantId,
            roleId,
            resourceServerIdentifier: p.audience,
            permissionName: p.permission,
          })),
          skipDuplicates: true,
        });
      } catch (error) {
        if (isForeignKeyViolation(error))
          throw new NotFoundError('The role or the API does not exist.', { cause: error });
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
  };
}
