import { decodeJwt } from 'jose';
import type { ManagementHarness } from './helpers.ts';

export { failure } from './users-helpers.ts';

/** A client-credentials request at the token endpoint, as a machine client sends it. */
export async function clientCredentials(
  h: ManagementHarness,
  clientId: string,
  clientSecret: string,
  audience: string,
  scope?: string,
): Promise<{ status: number; body: Record<string, unknown>; claims?: Record<string, unknown> }> {
  const response = await fetch(`${h.server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience,
      ...(scope === undefined ? {} : { scope }),
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  const token = typeof body.access_token === 'string' ? body.access_token : undefined;
  return { status: response.status, body, ...(token ? { claims: decodeJwt(token) } : {}) };
}

let counter = 0;
/** A fresh API identifier per call, so tests sharing one server never collide by accident. */
export const newAudience = (name = 'api') =>
  `https://${name}-${Date.now().toString(36)}-${counter++}.example.com/`;
