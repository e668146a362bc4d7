import './request.ts';
import formBody from '@fastify/formbody';
import type { KvStore, Logger, LoginPages, PostLoginPort } from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import { createTenantProviders, type TenantProviders } from './providers.ts';
import { assetRoutes } from './routes/assets.ts';
import { auth0LogoutRoutes } from './routes/auth0-logout.ts';
import { consentRoutes } from './routes/consent.ts';
import { continueRoutes } from './routes/continue.ts';
import { loginRoutes } from './routes/login.ts';
import { pageErrors } from './routes/page-errors.ts';
import { providerRoutes } from './routes/provider-routes.ts';
import { signupRoutes } from './routes/signup.ts';
import { createThrottle } from './throttle.ts';

export type { TenantProviders } from './providers.ts';
export { createSessionAdmin } from './session-admin.ts';

export interface OidcDeps {
  storage: Storage;
  kv: KvStore;
  pages: LoginPages;
  postLogin: PostLoginPort;
  scheme: 'http' | 'https';
  log: Logger;
}

/**
 * The protocol side of Tessera: one oidc-provider per tenant behind Auth0's paths, the login pages'
 * routes and Auth0's `/v2/logout`. Returns the Fastify plugin and the providers (for tools and tests
 * that need to invalidate a tenant after changing its keys).
 */
export function createOidc(deps: OidcDeps): {
  plugin: (app: FastifyInstance) => Promise<void>;
  providers: TenantProviders;
} {
  const throttle = createThrottle(deps.kv);
  const providers = createTenantProviders({ ...deps, throttle });
  const interaction = { providers, storage: deps.storage, pages: deps.pages };
  return {
    providers,
    async plugin(app) {
      await app.register(providerRoutes, { providers, storage: deps.storage, pages: deps.pages });
      await app.register(async (pages) => {
        pageErrors(pages, deps.pages);
        await pages.register(formBody, { bodyLimit: 64 * 1024 });
        await pages.register(loginRoutes, { ...interaction, throttle, postLogin: deps.postLogin });
        await pages.register(signupRoutes, { ...interaction, postLogin: deps.postLogin, throttle });
        await pages.register(consentRoutes, interaction);
        await pages.register(continueRoutes, { ...interaction, postLogin: deps.postLogin });
        await pages.register(assetRoutes, { pages: deps.pages });
        await pages.register(auth0LogoutRoutes, { providers });
      });
    },
  };
}
