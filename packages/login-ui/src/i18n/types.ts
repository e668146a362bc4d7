/**
 * Every user-visible string of every page. Pages hold no wording of their own, so a new locale is one
 * file of this shape. Values are plain text: the pages escape them like any other interpolation.
 */
export interface Messages {
  /** The title suffix and card header show the tenant; pages pass it, messages never assume it. */
  documentTitle: (page: string, tenantName: string) => string;
  login: {
    title: string;
    heading: string;
    intro: (tenantName: string, clientName: string | undefined) => string;
    identifierLabel: string;
    passwordLabel: string;
    submit: string;
    noAccount: string;
    signupLink: string;
    errors: {
      /** One text for an unknown user and a wrong password: the page must not reveal which. */
      invalid_credentials: string;
      /** Says nothing about whether the account exists. `minutes` undefined → "later". */
      too_many_attempts: (minutes: number | undefined) => string;
      blocked: string;
      server_error: string;
    };
  };
  signup: {
    title: string;
    heading: string;
    intro: (tenantName: string, clientName: string | undefined) => string;
    emailLabel: string;
    passwordLabel: string;
    passwordHint: (minLength: number) => string;
    submit: string;
    haveAccount: string;
    loginLink: string;
    errors: {
      email_taken: string;
      invalid_email: string;
      weak_password: string;
      too_many_attempts: string;
      server_error: string;
    };
  };
  consent: {
    title: string;
    heading: (clientName: string) => string;
    intro: (clientName: string, tenantName: string) => string;
    audience: (audience: string) => string;
    scopesLabel: string;
    accept: string;
    deny: string;
  };
  /** Localized descriptions of the standard OIDC scopes (OIDC Core §5.4, §11). */
  scopes: Record<'openid' | 'profile' | 'email' | 'address' | 'phone' | 'offline_access', string>;
  logout: {
    title: string;
    heading: string;
    question: (tenantName: string, clientName: string | undefined) => string;
    confirm: string;
    cancel: string;
  };
  loggedOut: {
    title: string;
    heading: string;
    body: (tenantName: string) => string;
  };
  /** The server's front page (`GET /`), for whoever installed it. */
  home: {
    title: string;
    heading: string;
    intro: string;
    issuerLabel: string;
    discoveryLink: string;
    /** Where the documentation is: plain text, no link (it lives in the repository). */
    docs: string;
    /** Around the `pnpm tessera try` command. */
    tryBefore: string;
    tryAfter: string;
  };
  error: {
    title: string;
    /** Headings for the wire codes users meet most; any other code gets `heading`. */
    headings: Partial<Record<string, string>>;
    /**
     * The page's own text for codes whose description is always ours (a store that is down): shown in
     * the page's language instead of the model's description.
     */
    descriptions: Partial<Record<string, string>>;
    heading: string;
    codeLabel: string;
    requestIdLabel: string;
  };
}
