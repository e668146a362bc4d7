import type { FastifyInstance } from 'fastify';
import { endSession } from '../end-session.ts';
import type { TenantProviders } from '../providers.ts';

/**
 * Auth0's `GET /v2/logout?client_id=…&returnTo=…`: ends the browser's session at once (no
 * confirmation, as Auth0), revokes the grants that were bound to it, and redirects to `returnTo` only
 * when it is one of the client's `allowed_logout_urls` (otherwise the logged-out page). Refresh tokens
 * issued for offline access are not session-bound and survive, as in Auth0.
 */
export async function auth0LogoutRoutes(app: FastifyInstance, options: { providers: TenantProviders }) {
  app.get('/v2/logout', async (request, reply) => {
    const provider = await options.providers.get(request.tenant);
    const query = request.query as { client_id?: string; returnTo?: string };
    const ctx = provider.createContext(request.raw, reply.raw);
    const session = await provider.Session.get(ctx);
    if (!(session as unknown as { new?: boolean }).new) await endSession(provider, session);
    // Clear the session cookie (and its signature) the way oidc-provider set it: Secure whenever the
    // public scheme is https (ctx.secure reads the pinned X-Forwarded-Proto, docs/security.md#51).
    const secure = ctx.secure ? '; secure' : '';
    for (const name of [provider.cookieName('session'), `${provider.cookieName('session')}.sig`]) {
      reply.raw.appendHeader(
        'set-cookie',
        `${name}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT${secure}; httponly; samesite=lax`,
      );
    }

    const client = query.client_id ? await provider.Client.find(query.client_id) : undefined;
    const returnTo = query.returnTo;
    if (client && returnTo && client.postLogoutRedirectUriAllowed(returnTo))
      return reply.redirect(returnTo, 302);
    return reply.redirect('/oidc/logout/success', 302);
  });
}
