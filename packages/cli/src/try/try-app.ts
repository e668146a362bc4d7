import type { ManagementApi } from '../first-run-management.ts';

/** The application `try` logs in to. */
export const TRY_APP_NAME = 'Tessera Try';
/**
 * The mark `try` puts in the app's `client_metadata`, and the only way it finds the app again: an app
 * someone else named "Tessera Try" is never re-pointed or given a new secret.
 */
export const TRY_APP_MARK = { tessera_try: 'true' } as const;

export interface TryApp {
  clientId: string;
  clientSecret: string;
  created: boolean;
}

interface WireClient {
  client_id: string;
  client_metadata?: Record<string, unknown>;
}

const PAGE = 100;

/**
 * Creates the first-party regular web app (authorization code only, its one callback the command's
 * own), or takes back the one a previous run created: its callback is set to this run's port and its
 * secret rotated, since no GET returns a secret (Tessera stores only an HMAC of it). The app belongs
 * to the command: two `try` running at once would take it from each other, the first one's code
 * exchange then failing with invalid_client.
 */
export async function ensureTryApp(api: ManagementApi, callback: string): Promise<TryApp> {
  const settings = {
    app_type: 'regular_web',
    is_first_party: true,
    oidc_conformant: true,
    callbacks: [callback],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  };
  const existing = await findMarked(api);
  if (existing === undefined) {
    const created = await api.call<{ client_id: string; client_secret: string }>('POST', '/clients', {
      name: TRY_APP_NAME,
      description: 'Created by `tessera try` to log in from the command line',
      client_metadata: TRY_APP_MARK,
      ...settings,
    });
    return { clientId: created.client_id, clientSecret: created.client_secret, created: true };
  }
  const path = `/clients/${encodeURIComponent(existing.client_id)}`;
  await api.call('PATCH', path, settings);
  const rotated = await api.call<{ client_secret: string }>('POST', `${path}/rotate-secret`);
  return { clientId: existing.client_id, clientSecret: rotated.client_secret, created: false };
}

async function findMarked(api: ManagementApi): Promise<WireClient | undefined> {
  for (let page = 0; ; page++) {
    const clients = await api.call<WireClient[]>(
      'GET',
      `/clients?app_type=regular_web&fields=client_id,client_metadata&per_page=${PAGE}&page=${page}`,
    );
    const found = clients.find((client) => client.client_metadata?.tessera_try === TRY_APP_MARK.tessera_try);
    if (found || clients.length < PAGE) return found;
  }
}
