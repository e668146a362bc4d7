import { InvalidRequestError, NotFoundError } from '@tessera/core';
import type { SecretBox } from '../crypto.ts';
import { type Client as ClientRow, Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { isForeignKeyViolation, isRecordNotFound } from './errors.ts';
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
  /** Public keys (JWK Set) for `private_key_jwt` client authentication; null when none. */
  jwks: { keys: Record<string, unknown>[] } | null;
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

/** A partial update: only the fields present change (arrays and objects are replaced, not merged). */
export type UpdateClientInput = Partial<Settable>;

/** What a client may call through client credentials: an API and its granted scopes. */
export interface ClientGrantSummary {
  audience: string;
  scopes: string[];
}

export interface ClientRepository {
  /** The secret is returned here once and stored only as an HMAC. */
  create(tenantId: string, input: CreateClientInput): Promise<{ client: Client; clientSecret: string }>;
  findById(tenantId: string, clientId: string): Promise<Client | undefined>;
  /** Constant-time check of a presented secret; false for unknown clients. */
  verifySecret(tenantId: string, clientId: string, secret: string): Promise<boolean>;
  listByTenant(tenantId: string): Promise<Client[]>;
  /** A page, oldest first, optionally only some application types or first/third-party clients. */
  list(
    tenantId: string,
    query: { skip: number; take: number; appTypes?: string[]; isFirstParty?: boolean },
  ): Promise<{ clients: Client[]; total: number }>;
  /** NotFoundError when the tenant has no such client. */
  update(tenantId: string, clientId: string, patch: UpdateClientInput): Promise<Client>;
  /** A new secret, returned once; the old one stops working at once. NotFoundError for an unknown client. */
  rotateSecret(tenantId: string, clientId: string): Promise<{ client: Client; clientSecret: string }>;
  /** With its grants. NotFoundError when the tenant has no such client. */
  delete(tenantId: string, clientId: string): Promise<void>;
  /** The client's grants (client credentials), by audience. */
  listGrants(tenantId: string, clientId: string): Promise<ClientGrantSummary[]>;
}

// Every field a patch may set, listed so a caller's object cannot slip through tenantId, clientId or
// secretHash (the Management API hands over parsed JSON).
const SETTABLE: readonly (keyof Settable)[] = [
  'name',
  'description',
  'appType',
  'isFirstParty',
  'callbacks',
  'allowedLogoutUrls',
  'webOrigins',
  'allowedOrigins',
  'grantTypes',
  'tokenEndpointAuthMethod',
  'jwtConfiguration',
  'refreshToken',
  'jwks',
  'clientMetadata',
  'addons',
  'logoUri',
  'initiateLoginUri',
  'oidcConformant',
];

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
            jwks: (input.jwks ?? undefined) as object | undefined,
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
    async list(tenantId, { skip, take, appTypes, isFirstParty }) {
      const where = {
        tenantId,
        ...(appTypes ? { appType: { in: appTypes } } : {}),
        ...(isFirstParty === undefined ? {} : { isFirstParty }),
      };
      const [rows, total] = await prisma.$transaction([
        prisma.client.findMany({ where, orderBy: [{ createdAt: 'asc' }, { clientId: 'asc' }], skip, take }),
        prisma.client.count({ where }),
      ]);
      return { clients: rows.map(toClient), total };
    },
    async update(tenantId, clientId, patch) {
      const data = Object.fromEntries(
        SETTABLE.filter((field) => patch[field] !== undefined).map((field) => [field, patch[field]]),
      ) as Prisma.ClientUpdateInput;
      // A JSON column is cleared with SQL NULL, which Prisma spells DbNull.
      if (patch.jwks === null) data.jwks = Prisma.DbNull;
      return toClient(await updateOne(tenantId, clientId, data));
    },
    async rotateSecret(tenantId, clientId) {
      const clientSecret = newClientSecret();
      const client = await updateOne(tenantId, clientId, {
        secretHash: secretBox.hash(clientSecret, SECRET_PURPOSE),
        secretRotatedAt: new Date(),
      });
      return { client: toClient(client), clientSecret };
    },
    async delete(tenantId, clientId) {
      // Grants go with it (ON DELETE CASCADE).
      const { count } = await prisma.client.deleteMany({ where: { tenantId, clientId } });
      if (count === 0) throw new NotFoundError(`no client ${clientId}`);
    },
    async listGrants(tenantId, clientId) {
      const grants = await prisma.clientGrant.findMany({
        where: { tenantId, clientId },
        orderBy: { audience: 'asc' },
      });
      return grants.map((grant) => ({ audience: grant.audience, scopes: grant.scope }));
    },
  };

  /** The update, confined to the tenant: another tenant's client id is as unknown as a made-up one. */
  async function updateOne(tenantId: string, clientId: string, data: Prisma.ClientUpdateInput) {
    try {
      return await prisma.client.update({ where: { clientId, tenantId }, data });
    } catch (error) {
      if (isRecordNotFound(error)) throw new NotFoundError(`no client ${clientId}`);
      throw error;
    }
  }
}

function toClient({ secretHash: _never, ...row }: ClientRow): Client {
  return {
    ...row,
    jwtConfiguration: row.jwtConfiguration as Record<string, unknown>,
    refreshToken: row.refreshToken as Record<string, unknown>,
    jwks: (row.jwks as Client['jwks']) ?? null,
    clientMetadata: row.clientMetadata as Record<string, string>,
    addons: row.addons as Record<string, unknown>,
  };
}
