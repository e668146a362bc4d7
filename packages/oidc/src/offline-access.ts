import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * OIDC Core §11 drops `offline_access` unless the request also says `prompt=consent`; oidc-provider
 * follows that to the letter. Auth0 does not: an app asking for `offline_access` gets a refresh token
 * (when its grant types allow one). Apps written for Auth0 rely on that, so an authorization request
 * asking for `offline_access` is treated as asking for consent too; first-party apps then record the
 * consent without a screen (routes/consent.ts), third-party apps show it, as the spec intends.
 * `prompt=none` is left alone: silent renewals cannot show a screen and get no new refresh token.
 */
export function installOfflineAccessAsAuth0(provider: Provider) {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.method === 'GET' && ctx.path === '/authorize') {
      const query = { ...ctx.query } as Record<string, string>;
      const scopes = String(query.scope ?? '').split(' ');
      const prompts = String(query.prompt ?? '')
        .split(' ')
        .filter(Boolean);
      if (scopes.includes('offline_access') && !prompts.includes('consent') && !prompts.includes('none')) {
        query.prompt = [...prompts, 'consent'].join(' ');
        ctx.query = query;
      }
    }
    await next();
  });
}
