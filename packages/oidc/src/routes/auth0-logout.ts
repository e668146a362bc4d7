import { InvalidRequestError } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { endSession } from '../end-session.ts';
import type { TenantProviders } from '../providers.ts';

/**
 * Auth0's `GET /v2/logout?client_id=…&returnTo=…`: ends the browser's session at once (no
 * confirmation, as Auth0), revokes the grants that were bound to it, and redirects to `returnTo` only
 * when it is one of the client's `allowed_logout_urls`. Without `returnTo` it shows the logged-out
 * page; with one it may not follow, a 400 page says why (as Auth0's "not defined as a valid URL in
 * Allowed Logout URLs"), the session being ended all the same. Refresh tokens issued for offline
 * access are not session-bound and survive, as in Auth0.
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
    if (!returnTo) return reply.redirect('/oidc/logout/success', 302);
    if (client?.postLogoutRedirectUriAllowed(returnTo)) return reply.redirect(returnTo, 302);
    // The address is not echoed: the page must not become a link an attacker words.
    throw new InvalidRequestError(
      `You are logged out, but the application ${
        !query.client_id
          ? 'did not say which one it is (client_id), so the address it asked to return you to cannot be checked'
          : !client
            ? 'that asked for it is not known here'
            : "asked to return you to an address that is not in the application's Allowed Logout URLs"
      }. Open the application again yourself; if you manage it, add the address to its Allowed Logout URLs.`,
    );
  });
}
