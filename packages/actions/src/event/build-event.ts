import type { EventRequest, EventTransaction } from '../../types/post-login.d.ts';
import type { PostLoginEventInput } from './build-event-input.ts';
import { toEventRefreshToken, toEventSession } from './event-session.ts';
import { toEventUser } from './event-user.ts';
import { withoutSecrets } from './sensitive-params.ts';
import type { PostLoginEvent } from './types.ts';
import { iso, list, listOrAbsent, plainJson } from './values.ts';

export type { PostLoginEventInput } from './build-event-input.ts';

/** Auth0's name and strategy for a tenant's first database connection. */
export const DEFAULT_CONNECTION = { name: 'Username-Password-Authentication', strategy: 'auth0' } as const;

/**
 * The `event` of a post-login run, filled from a real login. The result is plain JSON sharing nothing
 * with `input`, so the runtime can copy it into each sandbox and actions can mutate their copy.
 * `secrets` is always empty here: the runtime gives each action its own, and no other.
 */
export function buildPostLoginEvent(input: PostLoginEventInput): PostLoginEvent {
  const userId = input.user.user_id;
  const event: PostLoginEvent = {
    user: toEventUser(input.user),
    client: {
      client_id: input.client.clientId,
      name: input.client.name,
      metadata: input.client.metadata ?? {},
    },
    connection: {
      id: input.connection.id,
      name: input.connection.name ?? DEFAULT_CONNECTION.name,
      strategy: input.connection.strategy ?? DEFAULT_CONNECTION.strategy,
      metadata: input.connection.metadata ?? {},
    },
    organization: input.organization && {
      id: input.organization.id,
      name: input.organization.name,
      display_name: input.organization.displayName,
      metadata: input.organization.metadata ?? {},
    },
    resource_server: input.audience === undefined ? undefined : { identifier: input.audience },
    tenant: { id: input.tenantId },
    stats: { logins_count: input.stats?.loginsCount ?? input.user.logins_count ?? 0 },
    authorization: { roles: [...(input.roles ?? [])] },
    secrets: {},
    configuration: input.configuration ?? {},
    request: buildEventRequest(input.request),
    transaction: toEventTransaction(input.transaction),
    authentication: {
      methods: (input.authenticationMethods ?? []).map((method, index) => ({
        name: method.name,
        timestamp: iso(method.timestamp, `authenticationMethods[${index}].timestamp`),
      })),
    },
    session: input.session && toEventSession(input.session, userId),
    refresh_token:
      input.refreshToken &&
      toEventRefreshToken(input.refreshToken, { userId, clientId: input.client.clientId }),
    prompt: input.prompt && { id: input.prompt.id, fields: input.prompt.fields },
  };
  // Optional fields above are undefined when absent; the JSON copy drops them, as Auth0 omits them.
  return plainJson(event);
}

/** `event.request` from the HTTP request (also the `/continue` request a resumed run sees). */
export function buildEventRequest(request: PostLoginEventInput['request']): EventRequest {
  return {
    ip: request.ip,
    hostname: request.hostname,
    method: request.method,
    language: request.language,
    user_agent: request.userAgent,
    query: withoutSecrets(request.query ?? {}),
    body: withoutSecrets(request.body ?? {}),
    // Always an object: Auth0 scripts read `event.request.geoip.countryCode` without checking.
    geoip: request.geoip ?? {},
  };
}

function toEventTransaction(transaction: PostLoginEventInput['transaction']): EventTransaction {
  return {
    id: transaction.id,
    locale: transaction.locale ?? 'en',
    protocol: transaction.protocol,
    requested_scopes: list(transaction.requestedScopes),
    acr_values: list(transaction.acrValues),
    ui_locales: list(transaction.uiLocales),
    redirect_uri: transaction.redirectUri,
    prompt: listOrAbsent(transaction.prompt),
    login_hint: transaction.loginHint,
    response_mode: transaction.responseMode,
    response_type: listOrAbsent(transaction.responseType),
    state: transaction.state,
    metadata: transaction.metadata ?? {},
  };
}
