/**
 * Auth0's client-credentials token names the machine `sub: "<client_id>@clients"` with
 * `gty: "client-credentials"`, and APIs written for Auth0 check both. The same claims go into the JWT
 * (configuration.ts, `formats`) and into the stored token that introspection answers from
 * (permissions.ts, `extraTokenClaims`), so both say the same. No user id has this shape (`auth0|…`),
 * and the Management API tells machines from users by it (packages/management/src/auth.ts).
 */
export function machineTokenClaims(clientId: string): { sub: string; gty: 'client-credentials' } {
  return { sub: `${clientId}@clients`, gty: 'client-credentials' };
}
