import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

type Caller = { clientId: string; clientAuthMethod: string };
type PresentedToken = { clientId?: string };

/**
 * RFC 7662 §4: the server must decide whether the caller may learn about a token. Tessera's resource
 * servers hold no credentials of their own, so the only caller entitled to a token's details is the
 * client it was issued to; for any other client the token is `{ "active": false }`, as for an unknown
 * one (telling "exists but not yours" apart would let a client probe other clients' tokens).
 */
export async function introspectionAllowed(
  _ctx: KoaContextWithOIDC,
  client: Caller,
  token: PresentedToken,
): Promise<boolean> {
  return token.clientId === client.clientId;
}

/**
 * RFC 7009 §2.1: the server verifies that the token was issued to the client revoking it. A
 * confidential client presenting another client's token is told so (invalid_request); a public
 * client, which anyone can impersonate, gets the same 200 as for an unknown token.
 */
export async function revocationAllowed(
  _ctx: KoaContextWithOIDC,
  client: Caller,
  token: PresentedToken,
): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}
