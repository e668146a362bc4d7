/**
 * The port between the interaction routes (packages/oidc) and the server-rendered pages
 * (packages/login-ui), wired in apps/server. Pages are pure: a model in, a full HTML document out.
 *
 * Every string in a model is treated as untrusted and escaped by the renderer. Error fields are
 * codes, never sentences: the page turns them into localized text, so no caller can put attacker-chosen
 * wording (or a message that reveals whether an account exists) on the page.
 * URL fields (`action`, `signupUrl`…) must be same-origin paths (`/u/login?state=…`) or http(s) URLs;
 * anything else (`javascript:`, `//evil.example`) makes the renderer throw, as a wiring bug.
 */
export interface BasePageModel {
  /** Already negotiated by login-ui's `negotiateLocale` (ui_locales, then Accept-Language). */
  locale: string;
  tenantName: string;
  /** Where the stylesheet is served, without a trailing slash, e.g. `/u/assets`. */
  assetsPath: string;
}

/**
 * Credential errors, one code for an unknown user and a wrong password (no account enumeration).
 * `blocked` names a blocked account: send it only once the password was verified, otherwise it tells an
 * attacker the account exists; or for a brute-force block of an IP, which unknown identifiers get alike.
 */
export type LoginError = 'invalid_credentials' | 'too_many_attempts' | 'blocked' | 'server_error';

export interface LoginPageModel extends BasePageModel {
  /** Form POST URL. */
  action: string;
  /** Posted back as the hidden field `_csrf`. */
  csrfToken: string;
  /** Prefill: `login_hint` or the last attempt's identifier. Never the password. */
  identifier?: string;
  error?: LoginError;
  /** With `too_many_attempts`: shown rounded up to minutes; omitted → "try again later". */
  retryAfterSeconds?: number;
  /** Shown only when the tenant allows sign-up. */
  signupUrl?: string;
  clientName?: string;
}

/** Sign-up is email + password, as Auth0's database connections ask. */
export type SignupError =
  | 'email_taken'
  | 'invalid_email'
  | 'weak_password'
  | 'too_many_attempts'
  | 'server_error';

export interface SignupPageModel extends BasePageModel {
  action: string;
  /** Posted back as the hidden field `_csrf`. */
  csrfToken: string;
  /** Prefill after a failed attempt. Never the password. */
  email?: string;
  error?: SignupError;
  /** The tenant's password policy minimum, shown as a hint and enforced by the browser (`minlength`). */
  passwordMinLength?: number;
  /** "Already have an account? Log in". */
  loginUrl: string;
  clientName?: string;
}

export interface ConsentScope {
  /** The scope string, e.g. `read:invoices`. Standard OIDC scopes get a localized description. */
  value: string;
  /** The resource server's description of a custom scope (shown when there is no localized one). */
  description?: string;
}

export interface ConsentPageModel extends BasePageModel {
  /** Form POST URL; the chosen button is posted as `action=accept` or `action=deny` (Auth0's names). */
  action: string;
  /** Posted back as the hidden field `_csrf`. */
  csrfToken: string;
  clientName: string;
  scopes: ConsentScope[];
  /** The API (resource server) the access is for, when not the userinfo/OIDC audience. */
  audience?: string;
  /** When set, the deny button posts there instead (`formaction`), still with `_csrf` and `action=deny`. */
  denyAction?: string;
}

/**
 * Built from the form oidc-provider hands to `features.rpInitiatedLogout.logoutSource`: that form posts
 * to `/session/end/confirm`, which checks the hidden field `xsrf` and logs out everywhere when `logout`
 * is present. So this page posts `xsrf` (not `_csrf`) and `logout=yes` from its confirm button only.
 */
export interface LogoutPageModel extends BasePageModel {
  /** The confirm URL from oidc-provider's form. */
  action: string;
  /** oidc-provider's xsrf secret, posted as the hidden field `xsrf`. */
  csrfToken: string;
  clientName?: string;
}

export interface ErrorPageModel extends BasePageModel {
  /** Wire error code (`access_denied`…). Anything not shaped like one is shown as `server_error`. */
  error: string;
  /** Untrusted text (it may come from a query string): escaped and shortened, never markup. */
  description: string;
  /** Shown so users can quote it to support; matches the request id in the logs. */
  requestId?: string;
}

export interface LoginPages {
  login(model: LoginPageModel): string;
  signup(model: SignupPageModel): string;
  consent(model: ConsentPageModel): string;
  logoutConfirm(model: LogoutPageModel): string;
  loggedOut(model: BasePageModel): string;
  error(model: ErrorPageModel): string;
  /** The stylesheet served at `${assetsPath}/tessera.css` (and its content hash for caching). */
  stylesheet(): { body: string; hash: string };
  /** The page locale: OIDC `ui_locales` (space-separated, wins) then Accept-Language; a supported one or `en`. */
  negotiateLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): string;
}
