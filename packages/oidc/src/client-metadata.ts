import type { Client } from '@tessera/storage';
import { PASSWORD_GRANT, PASSWORD_REALM_GRANT } from './password-grant-types.ts';

/**
 * Auth0's client shape → oidc-provider client metadata. Auth0 fields without an OIDC equivalent ride
 * along as extra metadata (`is_first_party`, `cors_origins`, `app_type`, `refresh_token`, `tessera_jwt`)
 * so the provider's policies (consent, CORS, refresh lifetimes) can read them from the client.
 *
 * The secret itself is never here: Tessera stores only its HMAC, and `compareClientSecret` is
 * replaced (configuration.ts) to check the presented secret against the stored HMAC. `client_secret`
 * is set to an unguessable per-process value that nothing accepts because oidc-provider insists on one for the
 * `client_secret_*` methods; the algorithms that would use it as a key (HS*, client_secret_jwt) are
 * disabled.
 */
export function toClientMetadata(client: Client, inertClientSecret: string): Record<string, unknown> {
  const grantTypes = supportedGrantTypes(client);
  const interactive = grantTypes.includes('authorization_code') || grantTypes.includes('implicit');
  const authMethod =
    client.tokenEndpointAuthMethod ||
    (client.appType === 'spa' || client.appType === 'native' ? 'none' : 'client_secret_post');
  const jwt = client.jwtConfiguration as { alg?: string; lifetime_in_seconds?: number };
  return {
    client_id: client.clientId,
    client_name: client.name,
    ...(authMethod === 'none' ? {} : { client_secret: inertClientSecret }),
    token_endpoint_auth_method: authMethod,
    // private_key_jwt (RFC 7523): the client signs its assertion; only public keys are kept here.
    // A client without keys gets an empty set: its assertions fail as invalid_client, not as a
    // metadata error that would tell the caller how the client is configured.
    ...(authMethod === 'private_key_jwt' ? { jwks: client.jwks ?? { keys: [] } } : {}),
    application_type: client.appType === 'native' ? 'native' : 'web',
    grant_types: grantTypes,
    response_types: interactive ? ['code'] : [],
    redirect_uris: interactive ? client.callbacks : [],
    post_logout_redirect_uris: client.allowedLogoutUrls,
    // Auth0's ID tokens always carry auth_time (OIDC Core §2 makes it optional otherwise).
    require_auth_time: true,
    id_token_signed_response_alg: jwt.alg && jwt.alg !== 'HS256' ? jwt.alg : 'RS256',
    ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
    ...(client.initiateLoginUri ? { initiate_login_uri: client.initiateLoginUri } : {}),
    is_first_party: client.isFirstParty,
    // Origins whose scripts may call the token endpoint (Auth0: "Allowed Origins (CORS)", "Allowed
    // Web Origins", and the origins of the callback URLs, which Auth0 allows by default).
    cors_origins: corsOrigins(client),
    app_type: client.appType ?? 'regular_web',
    refresh_token: client.refreshToken,
    tessera_jwt: { lifetime_in_seconds: jwt.lifetime_in_seconds ?? 36_000 },
  };
}

/** Extra client properties the provider accepts (validated by our own Management API). */
export const EXTRA_CLIENT_PROPERTIES = [
  'is_first_party',
  'cors_origins',
  'app_type',
  'refresh_token',
  'tessera_jwt',
];

const SUPPORTED = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  PASSWORD_GRANT,
  PASSWORD_REALM_GRANT,
]);

// A client without callbacks cannot complete a browser login, so its interactive grants are left out
// (oidc-provider would otherwise refuse the whole client, machine grants included, for lacking
// redirect_uris; Auth0 lets such a client use client credentials). A refresh token needs a grant that
// issues one: a browser login, or the password grant, which needs no callback.
const NEEDS_CALLBACKS = new Set(['authorization_code', 'implicit', 'refresh_token']);

function supportedGrantTypes(client: Client): string[] {
  const declared = client.grantTypes.length > 0 ? client.grantTypes : defaultGrantTypes(client.appType);
  const password = declared.includes(PASSWORD_GRANT) || declared.includes(PASSWORD_REALM_GRANT);
  const kept = declared.filter(
    (grant) =>
      SUPPORTED.has(grant) &&
      (client.callbacks.length > 0 || !NEEDS_CALLBACKS.has(grant) || (grant === 'refresh_token' && password)),
  );
  // Auth0's dashboard "Password" is `password` alone, and it opens both the standard grant and Auth0's
  // realm extension (`password-realm` listed alone opens only the latter).
  if (kept.includes(PASSWORD_GRANT) && !kept.includes(PASSWORD_REALM_GRANT)) kept.push(PASSWORD_REALM_GRANT);
  return kept;
}

/** Auth0's defaults per application type when `grant_types` is empty. */
function defaultGrantTypes(appType: string | null): string[] {
  switch (appType) {
    case 'non_interactive':
      return ['client_credentials'];
    case 'spa':
    case 'native':
      return ['authorization_code', 'refresh_token'];
    default:
      return ['authorization_code', 'refresh_token', 'client_credentials'];
  }
}

function corsOrigins(client: Client): string[] {
  const origins = new Set<string>();
  for (const value of [...client.webOrigins, ...client.allowedOrigins, ...client.callbacks]) {
    try {
      const { origin } = new URL(value);
      if (origin !== 'null') origins.add(origin);
    } catch {
      // Not a URL (a wildcard pattern, say): it matches nothing rather than something unintended.
    }
  }
  return [...origins];
}
