import type { LoginPages } from '@tessera/core';
import type { Tenant } from '@tessera/storage';
import type { KoaContextWithOIDC } from 'oidc-provider';

export const ASSETS_PATH = '/u/assets';

const base = (ctx: KoaContextWithOIDC, tenant: Tenant, pages: LoginPages) => ({
  locale: pages.negotiateLocale(
    ctx.oidc?.params?.ui_locales as string | undefined,
    ctx.get('accept-language'),
  ),
  tenantName: tenant.friendlyName ?? tenant.name,
  assetsPath: ASSETS_PATH,
});

/**
 * oidc-provider's error page (errors that cannot go back to the app): our page, escaped, no details,
 * with the request id the server gave the request (provider-routes.ts sets it before handing over).
 */
export const renderError =
  (pages: LoginPages, tenant: Tenant) =>
  async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, _error: Error) => {
    const requestId = ctx.response.get('x-request-id');
    ctx.type = 'html';
    ctx.body = pages.error({
      ...base(ctx, tenant, pages),
      error: out.error,
      description: out.error_description ?? '',
      ...(requestId ? { requestId } : {}),
    });
  };

/**
 * RP-initiated logout confirmation (OIDC RP-Initiated Logout §2). The provider hands us its form: we
 * keep its action and `xsrf` value and render our own page posting both, plus `logout=yes` (end the
 * whole session, as Auth0 does).
 */
export const renderLogout =
  (pages: LoginPages, tenant: Tenant) => async (ctx: KoaContextWithOIDC, form: string) => {
    const action = /action="([^"]+)"/.exec(form)?.[1] ?? '/oidc/logout/confirm';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
    ctx.type = 'html';
    ctx.body = pages.logoutConfirm({
      ...base(ctx, tenant, pages),
      action,
      csrfToken: xsrf,
      clientName: ctx.oidc.client?.clientName,
    });
  };

export const renderLogoutSuccess = (pages: LoginPages, tenant: Tenant) => async (ctx: KoaContextWithOIDC) => {
  ctx.type = 'html';
  ctx.body = pages.loggedOut(base(ctx, tenant, pages));
};
