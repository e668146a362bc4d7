import type { PostLoginEventInput } from '@tessera/actions';
import type { PostLoginTransaction } from '@tessera/core';
import { NotFoundError } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { GeoIpLookup } from './geoip.ts';

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? value.split(' ').filter(Boolean)
    : Array.isArray(value)
      ? value.map(String)
      : [];
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const sessionOf = (session: NonNullable<PostLoginTransaction['session']>) => ({
  id: session.id,
  createdAt: session.createdAt,
  updatedAt: session.updatedAt,
  authenticatedAt: session.authenticatedAt,
  lastInteractedAt: session.lastInteractedAt,
  ...(session.expiresAt === undefined ? {} : { expiresAt: session.expiresAt }),
  ...(session.idleExpiresAt === undefined ? {} : { idleExpiresAt: session.idleExpiresAt }),
  clients: session.clients,
  cookieMode: session.cookieMode,
  metadata: session.metadata,
  device: session.device,
});

const refreshTokenOf = (token: NonNullable<PostLoginTransaction['refreshToken']>) => ({
  id: token.id,
  ...(token.sessionId === undefined ? {} : { sessionId: token.sessionId }),
  rotating: token.rotating,
  resourceServers: token.resourceServers,
  createdAt: token.createdAt,
  ...(token.expiresAt === undefined ? {} : { expiresAt: token.expiresAt }),
  ...(token.idleExpiresAt === undefined ? {} : { idleExpiresAt: token.idleExpiresAt }),
  ...(token.lastExchangedAt === undefined ? {} : { lastExchangedAt: token.lastExchangedAt }),
  device: token.device,
});

/**
 * What the login knows, read from storage where the transaction only names it (event/build-event.ts
 * shapes it). `geoip` is given when a GeoIP database is configured; without one, or for an address it
 * does not know, the event's `request.geoip` is `{}`.
 */
export async function eventInput(
  storage: Storage,
  transaction: PostLoginTransaction,
  geoip?: GeoIpLookup,
): Promise<PostLoginEventInput> {
  const { tenantId, userId, clientId } = transaction;
  const [user, client, connection, roles] = await Promise.all([
    storage.users.findById(tenantId, userId),
    storage.clients.findById(tenantId, clientId),
    storage.users.ensureDatabaseConnection(tenantId),
    storage.roles.roleNamesOf(tenantId, userId),
  ]);
  if (user === undefined) throw new NotFoundError(`user ${userId} not found`);
  const params = transaction.params ?? {};
  const location = transaction.ip ? geoip?.(transaction.ip) : undefined;
  return {
    tenantId,
    user,
    client: { clientId, name: client?.name ?? clientId, metadata: client?.clientMetadata ?? {} },
    connection,
    ...(transaction.audience === undefined ? {} : { audience: transaction.audience }),
    request: {
      ip: transaction.ip ?? '',
      hostname: transaction.request?.hostname ?? '',
      method: transaction.request?.method ?? 'GET',
      ...(transaction.request?.userAgent === undefined ? {} : { userAgent: transaction.request.userAgent }),
      ...(transaction.request?.language === undefined ? {} : { language: transaction.request.language }),
      query: params,
      ...(transaction.request?.body === undefined ? {} : { body: transaction.request.body }),
      ...(location === undefined ? {} : { geoip: location }),
    },
    transaction: {
      id: transaction.id,
      protocol: transaction.protocol as PostLoginEventInput['transaction']['protocol'],
      requestedScopes: transaction.requestedScopes,
      acrValues: list(params.acr_values),
      uiLocales: list(params.ui_locales),
      ...(transaction.redirectUri === undefined ? {} : { redirectUri: transaction.redirectUri }),
      prompt: list(params.prompt),
      ...(text(params.login_hint) === undefined ? {} : { loginHint: text(params.login_hint) as string }),
      ...(text(params.response_mode) === undefined
        ? {}
        : { responseMode: text(params.response_mode) as string }),
      responseType: list(params.response_type),
      ...(text(params.state) === undefined ? {} : { state: text(params.state) as string }),
    },
    authenticationMethods: transaction.authenticationMethods ?? [],
    ...(transaction.session === undefined ? {} : { session: sessionOf(transaction.session) }),
    ...(transaction.refreshToken === undefined
      ? {}
      : { refreshToken: refreshTokenOf(transaction.refreshToken) }),
    roles,
  };
}
