/**
 * A user's login session as an administrator sees it (Auth0's Management API `/sessions`). The id is
 * the session's stable uid (what `event.session.id` names), never its cookie value. Times are epoch
 * seconds.
 */
export interface SessionInfo {
  id: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
  authenticatedAt: number;
  lastInteractedAt: number;
  /** When the session ends without activity (the stored record's own end). */
  idleExpiresAt: number;
  /** When the session ends however active it is. */
  expiresAt: number;
  device: {
    initialIp?: string;
    initialUserAgent?: string;
    initialAsn?: string;
    lastIp?: string;
    lastUserAgent?: string;
    lastAsn?: string;
  };
  /** The applications the user signed in to through this session. */
  clientIds: string[];
  /** How the user authenticated, each method with when (epoch seconds). */
  methods: { name: string; timestamp: number }[];
  /** False for a session cookie that ends with the browser (Auth0's `non-persistent`). */
  persistent: boolean;
  metadata: Record<string, string>;
}

/**
 * What the Management API needs from the login sessions the OIDC side keeps (wired in apps/server;
 * the management package does not import the provider). Revoking a session ends it for every
 * application: the next authorization request asks the user to log in again.
 */
export interface SessionAdmin {
  find(tenantId: string, sessionId: string): Promise<SessionInfo | undefined>;
  /** The user's live sessions, by id. */
  listByUser(tenantId: string, userId: string): Promise<SessionInfo[]>;
  /**
   * Ends a session; with `refreshTokens`, also revokes the grants of the applications it signed in
   * to, and so the refresh tokens issued through it. False when there was no such session.
   */
  revoke(tenantId: string, sessionId: string, options: { refreshTokens: boolean }): Promise<boolean>;
  /** Ends every session of the user (as `revoke` each); returns how many there were. */
  revokeByUser(tenantId: string, userId: string, options: { refreshTokens: boolean }): Promise<number>;
}
