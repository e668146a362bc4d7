import { ConflictError, NotFoundError } from '@tessera/core';
import { USER_SORT_FIELDS, type User, type UserListQuery, type UserSortField } from '@tessera/storage';
import { ApiError, inexistent, invalidQuery } from '../errors.ts';
import { arrayOf, BOOLEAN, FREE_OBJECT, INTEGER, object, STRING } from '../responses.ts';

// The Auth0 user on the wire, and the parts of Auth0's user search Tessera supports.

/** Auth0's user ids are `<provider>|<id>`; anything longer than this is no user of ours. */
export const USER_ID_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

/** Auth0's user on the wire (toWireUser); the metadata are the user's own free-form objects. */
export const USER = object({
  user_id: STRING,
  email: STRING,
  email_verified: BOOLEAN,
  username: STRING,
  phone_number: STRING,
  phone_verified: BOOLEAN,
  name: STRING,
  given_name: STRING,
  family_name: STRING,
  nickname: STRING,
  picture: STRING,
  user_metadata: FREE_OBJECT,
  app_metadata: FREE_OBJECT,
  identities: arrayOf(object({ connection: STRING, provider: STRING, user_id: STRING, isSocial: BOOLEAN })),
  blocked: BOOLEAN,
  logins_count: INTEGER,
  last_login: STRING,
  last_ip: STRING,
  last_password_reset: STRING,
  created_at: STRING,
  updated_at: STRING,
});

export const noSuchUser = () => inexistent('user', 'The user does not exist.');

/** Auth0 omits what a user does not have (a null field, empty metadata) rather than sending null. */
export function toWireUser(user: User): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    user_id: user.user_id,
    email: user.email,
    email_verified: user.email_verified,
    username: user.username,
    phone_number: user.phone_number,
    phone_verified: user.phone_number === null ? null : user.phone_verified,
    name: user.name,
    given_name: user.given_name,
    family_name: user.family_name,
    nickname: user.nickname,
    picture: user.picture,
    user_metadata: Object.keys(user.user_metadata).length > 0 ? user.user_metadata : null,
    app_metadata: Object.keys(user.app_metadata).length > 0 ? user.app_metadata : null,
    identities: user.identities.map((identity) => ({
      connection: identity.connection,
      provider: identity.provider,
      user_id: identity.user_id,
      isSocial: identity.isSocial,
    })),
    blocked: user.blocked,
    logins_count: user.logins_count,
    last_login: user.last_login,
    last_ip: user.last_ip,
    last_password_reset: user.last_password_reset,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== null));
}

/** Auth0 returns the identity provider's refusals (a taken email or username) as `auth0_idp_error`. */
export function asIdpError(error: unknown): unknown {
  if (error instanceof ConflictError)
    return new ApiError(409, 'auth0_idp_error', error.description, { cause: error });
  if (error instanceof NotFoundError) return noSuchUser();
  return error;
}

/** Auth0 (search engine v3) pages through the first 1000 results only. */
export const MAX_SEARCH_RESULTS = 1000;

/** `sort=<field>:1|-1`. */
export function parseSort(sort: string | undefined): UserListQuery['sort'] {
  if (sort === undefined || sort === '') return undefined;
  const match = /^([a-z_]+):(1|-1)$/.exec(sort);
  if (!match || !Object.hasOwn(USER_SORT_FIELDS, match[1]!)) {
    throw invalidQuery(
      `Query validation error: cannot sort by '${sort.slice(0, 64)}'; use <field>:1 or <field>:-1 with one of ${Object.keys(USER_SORT_FIELDS).join(', ')}.`,
    );
  }
  return { field: match[1] as UserSortField, ascending: match[2] === '1' };
}

// Wildcards (`*`, `?`), ranges and grouping are refused rather than matched literally.
const TERM = /^(email|user_id):(?:"([^"\\*?]{1,512})"|([^\s"():\\*?[\]{}]{1,512}))$/;

/**
 * The part of Auth0's Lucene user search Tessera supports: exact `email:"<email>"` (or unquoted) and
 * `user_id:"<id>"` terms, joined by AND. Anything else is a 400 naming what is supported, never a
 * silently wider result.
 */
export function parseUserSearch(q: string | undefined): Pick<UserListQuery, 'email' | 'userId'> {
  if (q === undefined || q.trim() === '') return {};
  const filter: Pick<UserListQuery, 'email' | 'userId'> = {};
  for (const term of q.trim().split(/\s+AND\s+/)) {
    const match = TERM.exec(term.trim());
    if (!match) {
      throw invalidQuery(
        `Query validation error: unsupported user search '${term.slice(0, 64)}'; Tessera supports email:"<email>" and user_id:"<user id>" joined by AND.`,
      );
    }
    const value = match[2] ?? match[3]!;
    if ((match[1] === 'email' ? filter.email : filter.userId) !== undefined) {
      throw invalidQuery(`Query validation error: '${match[1]}' may appear once in a user search.`);
    }
    if (match[1] === 'email') filter.email = value;
    else filter.userId = value;
  }
  return filter;
}
