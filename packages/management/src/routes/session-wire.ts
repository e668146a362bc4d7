import type { SessionInfo } from '@tessera/core';
import { inexistent } from '../errors.ts';
import { CHECKPOINT_QUERY } from '../query.ts';
import { arrayOf, FREE_OBJECT, NO_BODY, object, STRING } from '../responses.ts';

// Auth0's session and refresh-token objects on the wire, and what their routes share.

/**
 * The id of a session (oidc-provider's uid) or of a refresh-token family: url-safe characters only.
 * Anything else can name neither, and answers 400 before any lookup.
 */
export const OPAQUE_ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

/** `GET /users/{id}/sessions` and `/refresh-tokens`: Auth0's checkpoint paging; totals are not counted. */
export const USER_LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { include_totals: { type: 'boolean' }, ...CHECKPOINT_QUERY },
} as const;

export const DEFAULT_TAKE = 50;

/** Auth0 answers session and refresh-token deletions 202 without a body (asynchronous there). */
export const ACCEPTED = { 202: NO_BODY } as const;

/** The device the session or token was first and last used from (Auth0 also lists ASNs). */
export const DEVICE = object({
  initial_user_agent: STRING,
  initial_ip: STRING,
  initial_asn: STRING,
  last_user_agent: STRING,
  last_ip: STRING,
  last_asn: STRING,
});

export const SESSION = object({
  id: STRING,
  user_id: STRING,
  created_at: STRING,
  updated_at: STRING,
  authenticated_at: STRING,
  idle_expires_at: STRING,
  expires_at: STRING,
  last_interacted_at: STRING,
  device: DEVICE,
  clients: arrayOf(object({ client_id: STRING })),
  authentication: object({ methods: arrayOf(object({ name: STRING, timestamp: STRING })) }),
  cookie: object({ mode: STRING }),
  session_metadata: FREE_OBJECT,
});

export const noSuchSession = () => inexistent('session', 'The session does not exist.');

/** Epoch seconds as Auth0's ISO 8601 dates. */
export const isoDate = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Auth0's device object: snake_case names, absent values left out. */
export function deviceWire(device: Record<string, string | undefined>): Record<string, string> {
  const names: Record<string, string> = {
    initialUserAgent: 'initial_user_agent',
    initialIp: 'initial_ip',
    initialAsn: 'initial_asn',
    lastUserAgent: 'last_user_agent',
    lastIp: 'last_ip',
    lastAsn: 'last_asn',
  };
  return Object.fromEntries(
    Object.entries(device).flatMap(([name, value]) =>
      value === undefined || names[name] === undefined ? [] : [[names[name], value]],
    ),
  );
}

export function sessionWire(session: SessionInfo): Record<string, unknown> {
  return {
    id: session.id,
    user_id: session.userId,
    created_at: isoDate(session.createdAt),
    updated_at: isoDate(session.updatedAt),
    authenticated_at: isoDate(session.authenticatedAt),
    idle_expires_at: isoDate(session.idleExpiresAt),
    expires_at: isoDate(session.expiresAt),
    last_interacted_at: isoDate(session.lastInteractedAt),
    device: deviceWire(session.device),
    clients: session.clientIds.map((clientId) => ({ client_id: clientId })),
    authentication: {
      methods: session.methods.map((method) => ({ name: method.name, timestamp: isoDate(method.timestamp) })),
    },
    cookie: { mode: session.persistent ? 'persistent' : 'non-persistent' },
    session_metadata: session.metadata,
  };
}

/** One page of a list sorted by id: items after `from` (exclusive), and the id the next page follows. */
export function checkpointPage<T extends { id: string }>(
  items: readonly T[],
  query: { from?: string; take?: number },
): { items: T[]; next?: string } {
  const after = query.from === undefined ? items : items.filter((item) => item.id > query.from!);
  const take = query.take ?? DEFAULT_TAKE;
  const page = after.slice(0, take);
  return after.length > take ? { items: page, next: page.at(-1)!.id } : { items: page };
}
