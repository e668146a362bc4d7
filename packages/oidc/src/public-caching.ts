import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { ROUTES } from './configuration.ts';

/**
 * Five minutes. Long enough that apps, proxies and CDNs do not fetch discovery and the JWKS on every
 * login; short enough for key rotation: a key is published as `next` one rotation before it signs,
 * so a cached JWKS already holds the key that signs after a rotation unless two rotations come less
 * than five minutes apart (or it is a tenant's first rotation: the first run creates no `next` key,
 * docs/operations.md#keys), and a revoked key leaves shared caches within five minutes (clients keep
 * their own JWKS caches too, usually for longer, and refetch on an unknown `kid`).
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=300';

const CACHEABLE = new Set(['/.well-known/openid-configuration', ROUTES.jwks]);

/**
 * Discovery and the JWKS are the same for every caller of a domain (their URLs come from the
 * tenant's own domain, never the request's Host: docs/security.md#45), so shared caches may keep
 * them. Only a successful answer: an error must not be cached for five minutes.
 */
export function installPublicCaching(provider: Provider) {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    if (ctx.status === 200 && (ctx.method === 'GET' || ctx.method === 'HEAD') && CACHEABLE.has(ctx.path)) {
      ctx.set('cache-control', PUBLIC_CACHE_CONTROL);
    }
  });
}
