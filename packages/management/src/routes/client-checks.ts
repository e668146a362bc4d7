import type { Client } from '@tessera/storage';
import { invalidBody } from '../errors.ts';

/**
 * What the schema cannot say: every URL absolute, without a fragment (OIDC Core §3.1.2.1), origins
 * bare, and a client the provider would refuse (a public client with client credentials) refused
 * here first. Checked on the client as it will be after the change.
 */
export function checkClient(client: CheckedFields): void {
  const lists = { callbacks: client.callbacks, allowed_logout_urls: client.allowedLogoutUrls };
  for (const [property, values] of Object.entries(lists)) {
    for (const value of values) {
      const parsed = URL.parse(value);
      if (!parsed || value.includes('#')) throw badUrl(property, value, 'an absolute URL without a fragment');
    }
  }
  for (const [property, values] of Object.entries({
    web_origins: client.webOrigins,
    allowed_origins: client.allowedOrigins,
  })) {
    for (const value of values) {
      const parsed = URL.parse(value);
      if (
        !parsed ||
        !/^https?:$/.test(parsed.protocol) ||
        parsed.pathname.length > 1 ||
        parsed.search ||
        parsed.hash
      ) {
        throw badUrl(property, value, 'an http(s) origin');
      }
    }
  }
  for (const [property, value] of Object.entries({
    logo_uri: client.logoUri,
    initiate_login_uri: client.initiateLoginUri,
  })) {
    if (value && !/^https?:$/.test(URL.parse(value)?.protocol ?? ''))
      throw badUrl(property, value, 'an http(s) URL');
  }
  if (
    client.tokenEndpointAuthMethod === 'none' &&
    effectiveGrantTypes(client).includes('client_credentials')
  ) {
    throw invalidBody(
      `Payload validation error: a client with token_endpoint_auth_method "none" cannot use the client_credentials grant.`,
    );
  }
}

export type CheckedFields = Pick<
  Client,
  | 'appType'
  | 'callbacks'
  | 'allowedLogoutUrls'
  | 'webOrigins'
  | 'allowedOrigins'
  | 'grantTypes'
  | 'tokenEndpointAuthMethod'
  | 'logoUri'
  | 'initiateLoginUri'
>;

const badUrl = (property: string, value: string, expected: string) =>
  invalidBody(
    `Payload validation error: '${value.slice(0, 200)}' is not ${expected} on property ${property}.`,
  );

/** Auth0's defaults per application type when `grant_types` is empty (as client-metadata.ts applies them). */
export function effectiveGrantTypes(client: Pick<Client, 'grantTypes' | 'appType'>): string[] {
  if (client.grantTypes.length > 0) return client.grantTypes;
  if (client.appType === 'non_interactive') return ['client_credentials'];
  if (client.appType === 'spa' || client.appType === 'native') return ['authorization_code', 'refresh_token'];
  return ['authorization_code', 'refresh_token', 'client_credentials'];
}
