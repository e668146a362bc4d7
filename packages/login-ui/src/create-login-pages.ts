import type { LoginPages } from '@tessera/core';
import { pageContext } from './layout.ts';
import { negotiateLocale } from './negotiate-locale.ts';
import { renderConsent } from './pages/consent.ts';
import { renderError } from './pages/error.ts';
import { renderLoggedOut } from './pages/logged-out.ts';
import { renderLogin } from './pages/login.ts';
import { renderLogoutConfirm } from './pages/logout-confirm.ts';
import { renderSignup } from './pages/signup.ts';
import { stylesheetAsset } from './stylesheet.ts';

/** The pages behind core's `LoginPages` port; the stylesheet is hashed once, here. */
export function createLoginPages(): LoginPages {
  const stylesheet = stylesheetAsset();
  return {
    login: (model) => renderLogin(model, pageContext(model, stylesheet)),
    signup: (model) => renderSignup(model, pageContext(model, stylesheet)),
    consent: (model) => renderConsent(model, pageContext(model, stylesheet)),
    logoutConfirm: (model) => renderLogoutConfirm(model, pageContext(model, stylesheet)),
    loggedOut: (model) => renderLoggedOut(model, pageContext(model, stylesheet)),
    error: (model) => renderError(model, pageContext(model, stylesheet)),
    stylesheet: () => ({ ...stylesheet }),
    negotiateLocale,
  };
}
