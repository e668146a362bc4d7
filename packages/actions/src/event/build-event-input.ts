import type { EventGeoIp, FactorType, Protocol } from '../../types/post-login.d.ts';

// What the login flow knows about a login, in Tessera's own shapes (camelCase), except the user, which
// is already in Auth0's shape (storage's `User` fits as is). buildPostLoginEvent turns it into the
// `event` Auth0 defines. Optional fields default as Auth0 would show them: arrays [], metadata {}.

/** A date as stored (Date) or as already serialised (ISO 8601 string). */
export type DateInput = Date | string;

/** Space-separated, as in the request (`scope=openid profile`), or already split. */
export type ListInput = string | readonly string[];

/** Auth0's user. `null` means "not set", as storage returns it; extra fields (blocked, last_ip…) are ignored. */
export interface PostLoginUserInput {
  user_id: string;
  username?: string | null;
  email?: string | null;
  email_verified?: boolean;
  phone_number?: string | null;
  phone_verified?: boolean;
  name?: string | null;
  given_name?: string | null;
  family_name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  created_at: DateInput;
  updated_at: DateInput;
  last_password_reset?: DateInput | null;
  identities?: ReadonlyArray<{
    connection: string;
    provider: string;
    user_id: string;
    isSocial: boolean;
    profileData?: Record<string, unknown>;
  }>;
  multifactor?: readonly string[];
  enrolledFactors?: ReadonlyArray<{ type: FactorType | string; options?: Record<string, unknown> }>;
  /** Storage's counter; used when `stats` is not given. */
  logins_count?: number;
}

export interface DeviceInput {
  initialIp?: string;
  initialUserAgent?: string;
  lastIp?: string;
  lastUserAgent?: string;
}

export interface SessionInput {
  id: string;
  /** Default: the user's id. */
  userId?: string;
  createdAt: DateInput;
  updatedAt: DateInput;
  authenticatedAt: DateInput;
  lastInteractedAt: DateInput;
  idleExpiresAt?: DateInput;
  expiresAt?: DateInput;
  /** client_ids the session has logged in to. */
  clients?: readonly string[];
  /** Default `persistent`. */
  cookieMode?: 'persistent' | 'non-persistent';
  metadata?: Record<string, string>;
  device?: DeviceInput;
}

export interface RefreshTokenInput {
  id: string;
  sessionId?: string;
  /** Default: the user's id. */
  userId?: string;
  /** Default: the client's id. */
  clientId?: string;
  rotating: boolean;
  resourceServers?: ReadonlyArray<{ audience: string; scopes: ListInput }>;
  createdAt: DateInput;
  expiresAt?: DateInput;
  idleExpiresAt?: DateInput;
  lastExchangedAt?: DateInput;
  metadata?: Record<string, string>;
  device?: DeviceInput;
}

export interface PostLoginEventInput {
  tenantId: string;
  user: PostLoginUserInput;
  client: { clientId: string; name: string; metadata?: Record<string, string> };
  /** The connection that authenticated the user; name and strategy default to Auth0's database connection. */
  connection: { id: string; name?: string; strategy?: string; metadata?: Record<string, string> };
  organization?: { id: string; name: string; displayName: string; metadata?: Record<string, string> };
  /** The requested audience (`event.resource_server.identifier`). */
  audience?: string;
  request: {
    ip: string;
    hostname: string;
    method: string;
    language?: string;
    userAgent?: string;
    /** Parsed; credentials are removed by the builder. */
    query?: Record<string, unknown>;
    /** Parsed; credentials are removed by the builder. */
    body?: Record<string, unknown>;
    /** Only when a GeoIP database is configured. */
    geoip?: EventGeoIp;
  };
  transaction: {
    id: string;
    protocol: Protocol;
    requestedScopes?: ListInput;
    acrValues?: ListInput;
    uiLocales?: ListInput;
    redirectUri?: string;
    prompt?: ListInput;
    loginHint?: string;
    responseMode?: string;
    responseType?: ListInput;
    state?: string;
    /** The negotiated UI locale; default `en`. */
    locale?: string;
    /** Set by earlier actions (survives a redirect). */
    metadata?: Record<string, string | number | boolean>;
  };
  authenticationMethods?: ReadonlyArray<{ name: string; timestamp: DateInput }>;
  session?: SessionInput;
  refreshToken?: RefreshTokenInput;
  /** Default: `{ loginsCount: user.logins_count ?? 0 }`. */
  stats?: { loginsCount: number };
  /** Names of the user's roles. */
  roles?: readonly string[];
  /** The action's configuration values (the runtime may also set them per action). */
  configuration?: Record<string, string>;
  /** The submitted form, when continuing after `api.prompt.render`. */
  prompt?: { id: string; fields: Record<string, unknown> };
}
