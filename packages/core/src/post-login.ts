import { InvalidRequestError } from './errors.ts';

/**
 * The seam between the OIDC login flow and the post-login trigger (docs/architecture.md#how-a-login-flows).
 * After credentials are verified and before the interaction finishes, the flow asks the port for an
 * outcome. packages/triggers implements it; `continueUnchanged` is the outcome when no action is bound.
 */
export interface PostLoginTransaction {
  tenantId: string;
  userId: string;
  clientId: string;
  /** `oidc-basic-profile` for the authorization code flow, `oauth2-refresh-token` on refresh… */
  protocol: string;
  requestedScopes: string[];
  audience: string | undefined;
  redirectUri: string | undefined;
  ip: string | undefined;
  /** Interaction / transaction id. */
  id: string;
  /** The HTTP request that completed the authentication (event.request). */
  request?: {
    hostname: string;
    method: string;
    userAgent?: string;
    language?: string;
    /** The submitted form (the login page's), credentials included: the event builder removes them. */
    body?: Record<string, unknown>;
  };
  /** The authorization request's parameters (event.transaction and event.request.query). */
  params?: Record<string, unknown>;
  /** How the user authenticated in this transaction (`pwd`, …) and when. */
  authenticationMethods?: Array<{ name: string; timestamp: Date }>;
  /**
   * The interaction (login page) this transaction runs in, whose cookie the browser carries: a paused
   * login resumes only in that browser. Absent for an SSO login, whose interaction is created only when
   * an action redirects (`PostLoginPort.bind`).
   */
  interactionUid?: string;
  /**
   * `event.session`: the session an SSO login reuses or a refresh token is bound to, or, on a login
   * through the login page, the session this login establishes (its id is the one it will be stored
   * under; `api.session.*` apply to it).
   */
  session?: TransactionSession;
  /** `event.refresh_token`: the token presented to a refresh exchange (protocol `oauth2-refresh-token`). */
  refreshToken?: TransactionRefreshToken;
  /** The tenant's settings for its actions (tenant settings `actions_allow_http_redirects`, `actions_fetch_allow`). */
  actionSettings?: { allowHttpRedirects: boolean; egressAllowHosts: string[] };
  /** Set when this transaction authenticated the user (the login page), absent for an SSO login. */
  login?: { amr: string[] };
}

/** Where a session or refresh token was first and last used (Auth0's `device`). */
export interface TransactionDevice {
  initialIp?: string;
  initialUserAgent?: string;
  lastIp?: string;
  lastUserAgent?: string;
}

export interface TransactionSession {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  authenticatedAt: Date;
  lastInteractedAt: Date;
  expiresAt?: Date;
  idleExpiresAt?: Date;
  clients: string[];
  cookieMode: 'persistent' | 'non-persistent';
  metadata: Record<string, string>;
  device: TransactionDevice;
}

export interface TransactionRefreshToken {
  /** The rotation family's id (stable across rotations; never the token itself). */
  id: string;
  sessionId?: string;
  createdAt: Date;
  expiresAt?: Date;
  idleExpiresAt?: Date;
  lastExchangedAt?: Date;
  rotating: boolean;
  resourceServers: Array<{ audience: string; scopes: string[] }>;
  device: TransactionDevice;
}

/**
 * What the actions asked of the session (`api.session.*`), for the flow to apply to it: expiry
 * requests (epoch ms, the earliest of each kind; the flow caps them by the tenant's maximum), the
 * cookie mode, and the metadata as the run left it (present only when an action changed it).
 */
export interface SessionChanges {
  expiresAt?: number;
  idleExpiresAt?: number;
  cookieMode?: 'persistent' | 'non-persistent';
  metadata?: Record<string, string>;
}

/** What the actions asked of the refresh token being exchanged (`api.refreshToken.set*`, epoch ms, earliest wins). */
export interface RefreshTokenChanges {
  expiresAt?: number;
  idleExpiresAt?: number;
}

/**
 * What else a denial ends: `api.session.revoke` (the session, and its refresh tokens unless
 * preserved) or `api.refreshToken.revoke` (the presented refresh token and its family).
 */
export interface Revocation {
  session?: { preserveRefreshTokens: boolean };
  refreshToken?: true;
}

/** What the actions asked for, as the login flow applies it (packages/triggers builds it from a run). */
export type PostLoginOutcome =
  | {
      kind: 'continue';
      /** Claims merged into the ID token (after oidc-provider's claim filter). */
      idTokenClaims: Record<string, unknown>;
      /** Claims merged into the access token (`extraTokenClaims`). */
      accessTokenClaims: Record<string, unknown>;
      addScopes: string[];
      removeScopes: string[];
      session?: SessionChanges;
      refreshToken?: RefreshTokenChanges;
    }
  | {
      kind: 'deny';
      error: string;
      description: string;
      /** A thrown error, a timeout or a crash (the app gets a generic description). */
      failed?: boolean;
      revoke?: Revocation;
    }
  /**
   * An action sent the user to another site (`api.redirect.sendUserTo`): the login is paused under
   * `state` (single use, bound to the interaction) and resumes at `/continue?state=…`.
   */
  | { kind: 'redirect'; url: string; state: string };

/** The browser's return to `GET|POST /continue` after a redirect. */
export interface ContinueRequest {
  tenantId: string;
  state: string;
  /** The interaction named by the browser's interaction cookie. */
  interactionUid: string;
  ip: string | undefined;
  request: { hostname: string; method: string; userAgent?: string; language?: string };
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

/** What the trigger reads only when there are actions to run (it costs store round trips). */
export interface PostLoginLoaders {
  /** `event.session` of a refresh exchange: the session its token is bound to, if it still exists. */
  session?: () => Promise<TransactionSession | undefined>;
}

export interface PostLoginPort {
  run(transaction: PostLoginTransaction, loaders?: PostLoginLoaders): Promise<PostLoginOutcome>;
  /**
   * Binds a paused SSO login to the interaction created for its redirect (the authorization request
   * had none when the trigger ran). Only an unbound pause can be bound.
   */
  bind(tenantId: string, state: string, interactionUid: string): Promise<void>;
  /**
   * Resumes a paused login: the outcome of the rest of the run and the transaction it belongs to.
   * Throws InvalidRequestError for a missing, unknown, expired, replayed or foreign state
   * (docs/security.md#22, #37): nothing runs and nothing is committed then.
   */
  resume(request: ContinueRequest): Promise<{ outcome: PostLoginOutcome; transaction: PostLoginTransaction }>;
}

const unchanged = (): PostLoginOutcome => ({
  kind: 'continue',
  idTokenClaims: {},
  accessTokenClaims: {},
  addScopes: [],
  removeScopes: [],
});

/** The no-op port: the login continues unchanged and nothing ever pauses. */
export const continueUnchanged: PostLoginPort = {
  async run() {
    return unchanged();
  },
  async bind() {
    throw new InvalidRequestError('no paused login');
  },
  async resume() {
    throw new InvalidRequestError('no paused login');
  },
};
