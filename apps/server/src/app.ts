import type { Config } from '@tessera/config';
import {
  type ActionsAdminPort,
  continueUnchanged,
  issuerFor,
  type KvStore,
  type Logger,
  type PostLoginPort,
} from '@tessera/core';
import { createHomePage, createLoginPages } from '@tessera/login-ui';
import { createManagement } from '@tessera/management';
import { createOidc, createSessionAdmin, type TenantProviders } from '@tessera/oidc';
import { createLoginAttempts, primaryDomain, type Storage } from '@tessera/storage';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorHandling } from './plugins/errors.ts';
import { boundedJsonBodies } from './plugins/json-body.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { tenantResolution } from './plugins/tenant.ts';
import { healthRoutes } from './routes/health.ts';
import { homeRoutes } from './routes/home.ts';
import type { TenantResolver } from './tenancy.ts';

declare module 'fastify' {
  interface FastifyInstance {
    tenantProviders: TenantProviders;
  }
}

export interface AppDeps {
  config: Config;
  storage: Storage;
  kv: KvStore;
  tenants: TenantResolver;
  log: Logger;
  /** The post-login trigger; the no-op outcome until the Actions issues land. */
  postLogin?: PostLoginPort;
  /** The sandbox as the Management API uses it (code checks at deploy, test runs of drafts). */
  actionsAdmin: ActionsAdminPort;
}

/**
 * The application as a Fastify plugin (fastify/demo's app.ts): shared infrastructure first, then the
 * routes of each feature in their own encapsulated scope. The composition root (boot.ts) creates the
 * Fastify instance and the dependencies; this function only wires them.
 */
export function createApp(deps: AppDeps) {
  // fastify-plugin: the error handler, headers and tenant hook apply to the whole server, including
  // plugins registered after the app (embedding, tests); each feature's routes stay encapsulated.
  return fp(
    async function app(fastify: FastifyInstance) {
      await fastify.register(errorHandling);
      await fastify.register(boundedJsonBodies);
      // The request id of every response, so a user's report can be matched with the log lines.
      fastify.addHook('onSend', async (request, reply) => {
        reply.header('x-request-id', request.id);
      });
      await fastify.register(securityHeaders, {
        frameAncestors: deps.config.http.frameAncestors,
        hsts: deps.config.http.publicScheme === 'https' || Boolean(deps.config.http.tlsCertFile),
      });
      await fastify.register(tenantResolution, {
        resolver: deps.tenants,
        scheme: deps.config.http.publicScheme,
      });
      await fastify.register(healthRoutes, {
        checks: { database: () => deps.storage.ping(), kv: () => deps.kv.ping() },
      });
      const pages = createLoginPages();
      await fastify.register(homeRoutes, {
        scheme: deps.config.http.publicScheme,
        page: createHomePage(),
        negotiateLocale: pages.negotiateLocale,
      });
      const oidc = createOidc({
        storage: deps.storage,
        kv: deps.kv,
        pages,
        postLogin: deps.postLogin ?? continueUnchanged,
        scheme: deps.config.http.publicScheme,
        log: deps.log.child({ component: 'oidc' }),
      });
      // Features that change a tenant's keys or settings (Management API) drop its cached provider.
      fastify.decorate('tenantProviders', oidc.providers);
      await fastify.register(oidc.plugin);
      await fastify.register(
        createManagement({
          storage: deps.storage,
          issuerOf: (tenant) =>
            issuerFor(primaryDomain(tenant) ?? 'localhost', deps.config.http.publicScheme),
          actions: deps.actionsAdmin,
          // The same KV keys the login pages count in (the store is stateless over the KV).
          loginAttempts: createLoginAttempts(deps.kv),
          invalidateTenant: (tenantId) => oidc.providers.invalidate(tenantId),
          sessions: createSessionAdmin({ storage: deps.storage, kv: deps.kv }),
          log: deps.log.child({ component: 'management' }),
        }),
      );
    },
    { name: 'tessera' },
  );
}
