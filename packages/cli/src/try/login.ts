import { isJsonObject } from '@tessera/core';
import * as oidc from 'openid-client';
import type { TryApp } from './try-app.ts';

/** How the login ended: the tokens' claims, or the error the callback or the token endpoint gave. */
export type LoginResult =
  | {
      ok: true;
      idToken: Record<string, unknown>;
      accessToken: Record<string, unknown> | null;
      scope?: string;
    }
  | { ok: false; error: string; errorDescription?: string };

export interface Login {
  url: URL;
  finish(callback: URL): Promise<LoginResult>;
}

/**
 * The authorization request an app makes (authorization code with PKCE S256, state and nonce, as
 * openid-client builds it against the server's discovery document) and the code's redemption.
 */
export async function startLogin(
  issuer: string,
  app: TryApp,
  redirectUri: string,
  state: string,
  audience: string | undefined,
): Promise<Login> {
  // A local server speaks plain http: openid-client refuses it unless told, as for any app in development.
  const insecure =
    new URL(issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined;
  const config = await oidc.discovery(
    new URL(issuer),
    app.clientId,
    { client_secret: app.clientSecret },
    oidc.ClientSecretPost(app.clientSecret),
    insecure,
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(audience === undefined ? {} : { audience }),
  });
  return {
    url,
    async finish(callback) {
      // An error sent back to the callback (access_denied from an action's api.access.deny, say).
      const error = callback.searchParams.get('error');
      if (error !== null) {
        const description = callback.searchParams.get('error_description') ?? undefined;
        return { ok: false, error, errorDescription: description };
      }
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
        });
        return {
          ok: true,
          idToken: { ...tokens.claims() },
          accessToken: jwtClaims(tokens.access_token),
          scope: tokens.scope,
        };
      } catch (failure) {
        const { error, error_description } = failure as { error?: string; error_description?: string };
        if (typeof error === 'string') return { ok: false, error, errorDescription: error_description };
        return { ok: false, error: 'token_exchange_failed', errorDescription: (failure as Error).message };
      }
    },
  };
}

/**
 * The access token's claims, decoded without verification (the server just issued it over the
 * connection the command opened; only the resource server it is meant for verifies it). An opaque
 * token has none to show.
 */
function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return isJsonObject(claims) ? claims : null;
  } catch {
    return null;
  }
}
