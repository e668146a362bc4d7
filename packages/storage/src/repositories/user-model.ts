// The user model: the shapes users take in and out of storage, with no code, so the repositories,
// the input rules (user-input.ts) and the Management API's side (user-admin.ts) can all import them
// without importing each other. Auth0's snake_case field names are kept on the domain object on
// purpose: it crosses into tenant code and onto the wire unchanged.

export interface DatabaseConnection {
  id: string;
  name: string;
  strategy: string;
}

export interface UserIdentity {
  connection: string;
  provider: string;
  /** The user id without its `provider|` prefix. */
  user_id: string;
  isSocial: boolean;
}

export interface User {
  user_id: string;
  email: string | null;
  email_verified: boolean;
  username: string | null;
  phone_number: string | null;
  phone_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  nickname: string | null;
  picture: string | null;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
  identities: UserIdentity[];
  blocked: boolean;
  logins_count: number;
  /** ISO 8601, as are the other dates. */
  last_login: string | null;
  last_ip: string | null;
  created_at: string;
  updated_at: string;
  last_password_reset: string | null;
}

/** Final value per top-level key (null removes the key). */
export interface MetadataChanges {
  app: Record<string, unknown>;
  user: Record<string, unknown>;
}

/** Both metadata columns after a merge (`UPDATE … RETURNING`), for the size check (docs/security.md#50). */
export interface MergedMetadata {
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
}

export interface CreateUserInput {
  email: string;
  password?: string;
  username?: string;
  emailVerified?: boolean;
  name?: string;
  givenName?: string;
  familyName?: string;
  nickname?: string;
  picture?: string;
  phoneNumber?: string;
  phoneVerified?: boolean;
  userMetadata?: Record<string, unknown>;
  appMetadata?: Record<string, unknown>;
  /** Blocked by an administrator (Management API `blocked`); false by default. */
  blocked?: boolean;
  /** A database connection of the tenant; `Username-Password-Authentication` (created if missing) by default. */
  connection?: string;
}

/** What an administrator may change on a user (Management API `PATCH /users/{id}`). */
export interface UserChanges {
  email?: string;
  emailVerified?: boolean;
  username?: string | null;
  phoneNumber?: string | null;
  phoneVerified?: boolean;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  nickname?: string | null;
  picture?: string | null;
  blocked?: boolean;
  /** Re-hashed, and `last_password_reset` set. */
  password?: string;
  /** Auth0's merge: each top-level key replaced whole, a null value removes it, `{}` clears them all. */
  userMetadata?: Record<string, unknown>;
  appMetadata?: Record<string, unknown>;
}
