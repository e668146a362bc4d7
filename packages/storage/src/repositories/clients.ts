import { InvalidRequestError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import type { Client as ClientRow, PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation } from './errors.ts';
import { newClientGrantId, newClientId, newClientSecret } from './ids.ts';

/** Auth0's client, without any form of its secret. */
export interface Client {
  clientId: string;
  tenantId: string;
  name: string;
  description: string | null;
  appType: string | null;
  isFirstParty: boolean;
  callbacks: string[];
  allowedLogoutUrls: string[];
  webOrigins: string[];
  allowedOrigins: string[];
  grantTypes: string[];
  tokenEndpointAuthMethod: string;
  jwtConfiguration: Record<string, unknown>;
  refreshToken: Record<string, unknown>;
  clientMetadata: Record<string, string>;
  addons: Record<string, unknown>;
  logoUri: string | null;
  initiateLoginUri: string | null;
  oidcConformant: boolean;
  secretRotatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Settable = Omit<Client, 'clientId' | 'tenantId' | 'secretRotatedAt' | 'createdAt' | 'updatedAt'>;

export type CreateClientInput = Pick<Settable, 'name'> &
  Partial<Settable> & {
    /** Client grants created with the client (same transaction); each audience must be an existing API. */
    grants?: { audience: string; scopes: string[] }[];
  };

export interface ClientRepository {
  /** The secret is returned here once and stored only as an HMAC. */
  create(tenantId: string, input: CreateClientInput): Promise<{ client: Client; clientSecret: string }>;
  findById(tenantId: string, clientId: string): Promise<Client | undefined>;
  /** Constant-time check of a presented secret; false for unknown clients. */
  verifySecret(tenantId: string, clientId: string, secret: string): Promise<boolean>;
  listByTenant(tenantId: string): Promise<Client[]>;
}

const SECRET_PURPOSE = 'client_secret';

export function createClientRepository(prisma: PrismaClient, secretBox: SecretBox): ClientRepository {
  return {
    async create(tenantId, { grants = [], ...input }) {
      const clientId = newClientId();
      const clientSecret = newClientSecret();
      try {
        const row = await prisma.client.create({
          data: {
            ...input,
            clientId,
            tenantId,
            jwtConfiguration: input.jwtConfiguration as object | undefined,
            refreshToken: input.refreshToken as object | undefined,
            addons: input.addons as object | undefined,
            secretHash: secretBox.hash(clientSecret, SECRET_PURPOSE),
            secretRotatedAt: new Date(),
            grants: {
              create: grants.map((grant) => ({
                id: newClientGrantId(),
                tenantId,
                audience: grant.audience,
                scope: grant.scopes,
              })),
            },
          },
        });
        return { client: toClient(row), clientSecret };
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new InvalidRequestError('a client grant names an API (audience) this tenant does not have');
        }
        throw error;
      }
    },
    async findById(tenantId, clientId) {
      const row = await prisma.client.findFirst({ where: { tenantId, clientId } });
      return row ? toClient(row) : undefined;
    },
    async verifySecret(tenantId, clientId, secret) {
      const row = await prisma.client.findFirst({
        where: { tenantId, clientId },
        select: { secretHash: true },
      });
      if (!row?.secretHash) return false;
      return secretBox.verify(secret, row.secretHash, SECRET_PURPOSE);
    },
    async listByTenant(tenantId) {
      const rows = await prisma.client.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
      return rows.map(toClient);
    },
  };
}

function toClient({ secretHash: _never, ...row }: ClientRow): Client {
  return {
    ...row,
    jwtConfiguration: row.jwtConfiguration as Record<string, unknown>,
    refreshToken: row.refreshToken as Record<string, unknown>,
    clientMetadata: row.clientMetadata as Record<string, string>,
    addons: row.addons as Record<string, unknown>,
  };
}
