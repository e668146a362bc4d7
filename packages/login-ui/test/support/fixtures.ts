import type {
  BasePageModel,
  ConsentPageModel,
  ErrorPageModel,
  LoginPageModel,
  LogoutPageModel,
  SignupPageModel,
} from '@tessera/core';
import { createLoginPages } from '../../src/index.ts';

export const pages = createLoginPages();

export const base: BasePageModel = { locale: 'en', tenantName: 'Acme', assetsPath: '/u/assets' };

export const loginModel = (over: Partial<LoginPageModel> = {}): LoginPageModel => ({
  ...base,
  action: '/u/login?state=s1',
  csrfToken: 'csrf-login',
  ...over,
});

export const signupModel = (over: Partial<SignupPageModel> = {}): SignupPageModel => ({
  ...base,
  action: '/u/signup?state=s1',
  csrfToken: 'csrf-signup',
  loginUrl: '/u/login?state=s1',
  ...over,
});

export const consentModel = (over: Partial<ConsentPageModel> = {}): ConsentPageModel => ({
  ...base,
  action: '/u/consent?state=s1',
  csrfToken: 'csrf-consent',
  clientName: 'Billing',
  scopes: [{ value: 'openid' }, { value: 'read:invoices', description: 'Read your invoices' }],
  ...over,
});

export const logoutModel = (over: Partial<LogoutPageModel> = {}): LogoutPageModel => ({
  ...base,
  action: '/session/end/confirm',
  csrfToken: 'csrf-logout',
  ...over,
});

export const errorModel = (over: Partial<ErrorPageModel> = {}): ErrorPageModel => ({
  ...base,
  error: 'access_denied',
  description: 'The user denied the request.',
  ...over,
});

/** One rendering of every page, with every optional part present, for whole-page rules. */
export function everyPage(locale = 'en', withErrors = false): Record<string, string> {
  const over = { ...base, locale };
  return {
    login: pages.login(
      loginModel({
        ...over,
        identifier: 'ada@example.com',
        signupUrl: '/u/signup?state=s1',
        clientName: 'Billing',
        ...(withErrors ? { error: 'invalid_credentials' as const } : {}),
      }),
    ),
    signup: pages.signup(
      signupModel({
        ...over,
        email: 'ada@example.com',
        passwordMinLength: 12,
        clientName: 'Billing',
        ...(withErrors ? { error: 'weak_password' as const } : {}),
      }),
    ),
    consent: pages.consent(
      consentModel({ ...over, audience: 'https://api.example.com', denyAction: '/u/deny' }),
    ),
    logoutConfirm: pages.logoutConfirm(logoutModel({ ...over, clientName: 'Billing' })),
    loggedOut: pages.loggedOut(over),
    error: pages.error(errorModel({ ...over, requestId: 'req-42' })),
  };
}

/** The CSRF field each form must carry (logout posts to oidc-provider, which names it `xsrf`). */
export const CSRF: Record<string, { name: string; token: string } | undefined> = {
  login: { name: '_csrf', token: 'csrf-login' },
  signup: { name: '_csrf', token: 'csrf-signup' },
  consent: { name: '_csrf', token: 'csrf-consent' },
  logoutConfirm: { name: 'xsrf', token: 'csrf-logout' },
  loggedOut: undefined,
  error: undefined,
};
