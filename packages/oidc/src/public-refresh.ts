/** The parts of a provider client the refresh-token policy reads (client-metadata.ts puts them there). */
export interface RefreshClient {
  clientAuthMethod: string;
  refresh_token?: { rotation_type?: unknown };
}

/**
 * RFC 9700 §4.14.2: a public client's refresh tokens must be sender-constrained or rotated. Tessera
 * does not sender-constrain them (no DPoP, no mTLS), so a public client (token_endpoint_auth_method
 * `none`: SPAs and native apps) rotates, whatever its settings say, and one configured `non-rotating`
 * gets no refresh token at all (Auth0 answers a browser without one unless rotation is on). A public
 * client stored without settings rotates; a confidential client follows `rotation_type` (default
 * non-rotating). A rotated token used again revokes its grant (adapter.ts): docs/security.md#44.
 */
export function mayIssueRefreshToken(client: RefreshClient): boolean {
  return !isPublic(client) || client.refresh_token?.rotation_type !== 'non-rotating';
}

/**
 * Whether a refresh exchange replaces the token. Always for a public client: one whose settings were
 * switched to non-rotating after it got a token keeps rotating that token until its family ends.
 */
export function rotatesRefreshTokens(client: RefreshClient): boolean {
  return isPublic(client) || client.refresh_token?.rotation_type === 'rotating';
}

const isPublic = (client: RefreshClient) => client.clientAuthMethod === 'none';
