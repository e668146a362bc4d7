import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from './errors.ts';

export interface TenantDomain {
  domain: string;
  isPrimary: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  friendlyName: string | null;
  settings: Record<string, unknown>;
  isDefault: boolean;
  /** The primary domain first. */
  domains: TenantDomain[];
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateTenantInput {
  name: string;
  friendlyName?: string;
  /** The first one becomes the primary domain (the issuer's host). */
  domains: string[];
  isDefault?: boolean;
  settings?: Record<string, unknown>;
}

export interface TenantRepository {
  /** The tenant owning this exact host (port included when present); lookups are case-insensitive. */
  findByDomain(host: string): Promise<Tenant | undefined>;
  findById(id: string): Promise<Tenant | undefined>;
  findByName(name: string): Promise<Tenant | undefined>;
  getDefault(): Promise<Tenant | undefined>;
  /** With its domains, atomically. ConflictError for a taken name or domain, or a second default tenant. */
  create(input: CreateTenantInput): Promise<Tenant>;
  /** ConflictError when any tenant already has the domain, NotFoundError for an unknown tenant. */
  addDomain(tenantId: string, domain: string): Promise<TenantDomain>;
  /**
   * Moves the tenant from its domain `from` to `to` in place (the row is rewritten, never a second one
   * added; `to` stops being one of its other domains if it was), in one transaction. Its `updatedAt`
   * moves too: that is how providers built for the old domain, in any process, notice the change.
   */
  moveDomain(tenantId: string, from: string, to: string): Promise<void>;
  /**
   * Merges settings in one statement: each key set to its value, a key set to null removed, keys not
   * named kept (so two admins changing different settings do not lose each other's change). An
   * undefined `friendlyName` keeps it. NotFoundError for an unknown tenant.
   */
  updateSettings(
    tenantId: string,
    changes: { settings?: Record<string, unknown>; friendlyName?: string | null },
  ): Promise<Tenant>;
}

const withDomains = {
  domains: { orderBy: [{ isPrimary: 'desc' as const }, { createdAt: 'asc' as const }] },
} satisfies Prisma.TenantInclude;

export function createTenantRepository(prisma: PrismaClient): TenantRepository {
  return {
    async findByDomain(host) {
      const row = await prisma.tenantDomain.findUnique({
        where: { domain: host.trim().toLowerCase() },
        select: { tenant: { include: withDomains } },
      });
      return row ? toTenant(row.tenant) : undefined;
    },
    async findById(id) {
      const row = await prisma.tenant.findUnique({ where: { id }, include: withDomains });
      return row ? toTenant(row) : undefined;
    },
    async findByName(name) {
      const row = await prisma.tenant.findUnique({ where: { name }, include: withDomains });
      return row ? toTenant(row) : undefined;
    },
    async getDefault() {
      const row = await prisma.tenant.findUnique({ where: { isDefault: true }, include: withDomains });
      return row ? toTenant(row) : undefined;
    },
    async create(input) {
      const domains = [...new Set(input.domains.map(normalizeDomain))];
      try {
        const row = await prisma.tenant.create({
          data: {
            id: randomUUID(),
            name: input.name,
            friendlyName: input.friendlyName ?? null,
            settings: (input.settings ?? {}) as object,
            // NULL, not FALSE, for the others: see the schema (one default tenant, enforced by an index).
            isDefault: input.isDefault ? true : null,
            domains: { create: domains.map((domain, i) => ({ domain, isPrimary: i === 0 })) },
          },
          include: withDomains,
        });
        return toTenant(row);
      } catch (error) {
        if (isUniqueViolation(error, 'is_default'))
          throw new ConflictError('a default tenant already exists');
        if (isUniqueViolation(error, 'domain'))
          throw new ConflictError('a domain is already used by a tenant');
        if (isUniqueViolation(error)) throw new ConflictError(`a tenant named ${input.name} already exists`);
        throw error;
      }
    },
    async addDomain(tenantId, domain) {
      try {
        const row = await prisma.tenantDomain.create({ data: { tenantId, domain: normalizeDomain(domain) } });
        return { domain: row.domain, isPrimary: row.isPrimary };
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(`the domain ${domain} is already used by a tenant`);
        if (isForeignKeyViolation(error)) throw new NotFoundError(`no tenant ${tenantId}`);
        throw error;
      }
    },
    async moveDomain(tenantId, from, to) {
      const domain = normalizeDomain(to);
      await prisma.$transaction(async (tx) => {
        await tx.tenantDomain.deleteMany({ where: { tenantId, domain } });
        await tx.tenantDomain.updateMany({ where: { tenantId, domain: from }, data: { domain } });
        await tx.tenant.update({ where: { id: tenantId }, data: { updatedAt: new Date() } });
      });
    },
    async updateSettings(tenantId, { settings = {}, friendlyName }) {
      const set: Record<string, unknown> = {};
      const removed: string[] = [];
      for (const [key, value] of Object.entries(settings)) {
        if (value === null) removed.push(key);
        else Object.defineProperty(set, key, { value, enumerable: true, writable: true, configurable: true });
      }
      const count = await prisma.$executeRaw`
        UPDATE tenants SET
          settings = (settings || ${JSON.stringify(set)}::jsonb) - ${removed}::text[],
          friendly_name = CASE WHEN ${friendlyName !== undefined} THEN ${friendlyName ?? null} ELSE friendly_name END,
          updated_at = now()
        WHERE id = ${tenantId}`;
      if (count === 0) throw new NotFoundError(`no tenant ${tenantId}`);
      const row = await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, include: withDomains });
      return toTenant(row);
    },
  };
}

/** `host[:port]`, lowercase: what a Host header carries, so lookups are an exact match. */
/** The domain of the tenant's issuer: the primary one (domains are listed primary first). */
export function primaryDomain(tenant: Tenant): string | undefined {
  return tenant.domains.find((domain) => domain.isPrimary)?.domain ?? tenant.domains[0]?.domain;
}

export function normalizeDomain(domain: string): string {
  const value = domain.trim().toLowerCase();
  if (
    !/^([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(value) ||
    value.length > 253
  ) {
    throw new InvalidRequestError(`not a domain (host[:port]): ${JSON.stringify(domain)}`);
  }
  return value;
}

type TenantRow = {
  id: string;
  name: string;
  friendlyName: string | null;
  settings: unknown;
  isDefault: boolean | null;
  domains: TenantDomain[];
  createdAt: Date;
  updatedAt: Date;
};

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    friendlyName: row.friendlyName,
    settings: (row.settings ?? {}) as Record<string, unknown>,
    isDefault: row.isDefault === true,
    domains: row.domains.map((d) => ({ domain: d.domain, isPrimary: d.isPrimary })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
