import {
  type Logger,
  type LoginPages,
  logMessageOf,
  ServiceUnavailableError,
  UNAVAILABLE_HEADERS,
} from '@tessera/core';
import type { Tenant } from '@tessera/storage';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { renderError } from './pages.ts';

/**
 * The names under which oidc-provider's route error handlers announce what they caught, with
 * `(ctx, error)` (lib/helpers/initialize_app.js): the only place where an error they already answered
 * can still be seen. Every route Tessera enables is here (one missing would answer its 503 unlogged).
 */
const ROUTE_ERROR_EVENTS = [
  'authorization.error',
  'discovery.error',
  'end_session.error',
  'end_session_confirm.error',
  'end_session_success.error',
  'grant.error',
  'introspection.error',
  'jwks.error',
  'pushed_authorization_request.error',
  'revocation.error',
  'userinfo.error',
] as const;

export interface UnavailableDeps {
  pages: LoginPages;
  tenant: Tenant;
  log: Logger;
}

/**
 * A store that cannot be reached, on the provider's routes, answered as everywhere else
 * (docs/operations.md#how-the-server-behaves): 503 `temporarily_unavailable` with `Retry-After`,
 * JSON `{ error, error_description }` to programs, the error page to browsers (never a redirect to
 * the app), logged with the request id and the cause.
 *
 * Inside a route, oidc-provider's own error handler answers ServiceUnavailableError, which follows its
 * convention (status, code, description); this layer adds the headers and the log line. Outside the
 * routes (what the provider's other middlewares throw, before or after the route) nothing of
 * oidc-provider catches, and Koa would answer a text 500: this layer answers it. It must be the first
 * `provider.use`, so that it wraps every other one.
 */
export function installUnavailable(provider: Provider, deps: UnavailableDeps) {
  const log = (ctx: KoaContextWithOIDC, error: ServiceUnavailableError) =>
    deps.log.error(
      { reqId: ctx.response.get('x-request-id') || undefined, err: error },
      logMessageOf(error, error.description),
    );
  const logIfUnavailable = (ctx: KoaContextWithOIDC, error: unknown) => {
    if (error instanceof ServiceUnavailableError) log(ctx, error);
  };
  // Every one of these events has the same listener type; the typings overload them one by one.
  for (const event of ROUTE_ERROR_EVENTS) provider.on(event as 'grant.error', logIfUnavailable);
  const page = renderError(deps.pages, deps.tenant);

  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    try {
      await next();
    } catch (error) {
      // What a middleware throws outside the routes: an outage answers 503, anything else (a bug)
      // the same unexposed `server_error` oidc-provider's routes answer, never Koa's text page.
      const unavailable = error instanceof ServiceUnavailableError;
      if (unavailable) log(ctx, error);
      else
        deps.log.error(
          { reqId: ctx.response.get('x-request-id') || undefined, err: error },
          'oidc-provider middleware failed',
        );
      ctx.status = unavailable ? error.status : 500;
      const out = unavailable
        ? { error: error.code, error_description: error.description }
        : { error: 'server_error', error_description: 'oops! something went wrong' };
      // The same choice as oidc-provider's error handler (shared/error_handler.js).
      if (ctx.accepts('json', 'html') === 'html') await page(ctx, out, error as Error);
      else ctx.body = out;
    }
    if (ctx.status === 503) ctx.set(UNAVAILABLE_HEADERS);
  });
}
