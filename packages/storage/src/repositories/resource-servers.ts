import { ConflictError } from '@tessera/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { isUniqueViolation } from './errors.ts';
import { newResourceServerId } from './ids.ts';

export interface ResourceServerScope {
  value: string;
  description: string;
}

/** Auth0's resource server (an API), addressed by its `identifier` (the token audience). */
export interface ResourceServer {
  id: string;
  tenantId: string;
  identifier: string;
  name: string;
  signingAlg: string;
  /** Seconds. */
  tokenLifetime: number;
  allowOfflineAccess: boolean;
  skipConsentForVerifiableFirstPartyClients: boolean;
  /** RBAC: only permissions granted through roles reach the access token. */
  enforcePolicies: boolean;
  tokenDialect: string;
  isSystem: boolean;
  scopes: ResourceServerScope[];
  createdAt: Date;
  updatedAt: Date;
}

type Settable = Omit<ResourceServer, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;
export type CreateResourceServerInput = Pick<Settable, 'identifier' | 'name'> & Partial<Settable>;

export interface ResourceServerRepository {
  /** ConflictError when the tenant already has an API with this identifier. */
  create(tenantId: string, input: CreateResourceServerInput): Promise<ResourceServer>;
  findByIdentifier(tenantId: string, identifier: string): Promise<ResourceServer | undefined>;
}

const withScopes = { scopes: { orderBy: { value: 'asc' as const } } } satisfies Prisma.ResourceServerInclude;

export function createResourceServerRepository(prisma: PrismaClient): ResourceServerRepository {
  return {
    async create(tenantId, { scopes = [], ...input }) {
      try {
        const row = await prisma.resourceServer.create({
          data: {
            ...input,
            id: newResourceServerId(),
            tenantId,
            scopes: { create: scopes.map(({ value, description }) => ({ tenantId, value, description })) },
          },
          include: withScopes,
        });
        return toResourceServer(row);
      } catch (error) {
        if (isUniqueViolation(error, 'identifier')) {
          throw new ConflictError(`an API with identifier ${input.identifier} already exists`);
        }
        if (isUniqueViolation(error)) throw new ConflictError('scope values of an API must be unique');
        throw error;
      }
    },
    async findByIdentifier(tenantId, identifier) {
      const row = await prisma.resourceServer.findUnique({
        where: { tenantId_identifier: { tenantId, identifier } },
        include: withScopes,
      });
      return row ? toResourceServer(row) : undefined;
    },
  };
}

function toResourceServer({
  scopes,
  ...row
}: Omit<ResourceServer, 'scopes'> & { scopes: ResourceServerScope[] }) {
  return { ...row, scopes: scopes.map(({ value, description }) => ({ value, description })) };
}
