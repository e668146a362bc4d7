/**
 * The seam between the OIDC login flow and the post-login trigger (DESIGN.md "How a login flows").
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
  };
  /** The authorization request's parameters (event.transaction and event.request.query). */
  params?: Record<string, unknown>;
  /** How the user authenticated in this transaction (`pwd`, …) and when. */
  authenticationMethods?: Array<{ name: string; timestamp: Date }>;
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
    }
  | { kind: 'deny'; error: string; description: string };

export interface PostLoginPort {
  run(transaction: PostLoginTransaction): Promise<PostLoginOutcome>;
}

/** The no-op outcome: the login continues unchanged. */
export const continueUnchanged: PostLoginPort = {
  async run() {
    return { kind: 'continue', idTokenClaims: {}, accessTokenClaims: {}, addScopes: [], removeScopes: [] };
  },
};
