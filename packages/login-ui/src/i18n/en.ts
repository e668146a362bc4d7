import type { Messages } from './types.ts';

const minutes = new Intl.PluralRules('en');

export const en: Messages = {
  documentTitle: (page, tenantName) => `${page} – ${tenantName}`,
  login: {
    title: 'Log in',
    heading: 'Welcome',
    intro: (tenant, client) =>
      client === undefined
        ? `Log in to ${tenant} to continue.`
        : `Log in to ${tenant} to continue to ${client}.`,
    identifierLabel: 'Email or username',
    passwordLabel: 'Password',
    submit: 'Continue',
    noAccount: 'Don’t have an account?',
    signupLink: 'Sign up',
    errors: {
      invalid_credentials: 'Wrong email/username or password.',
      too_many_attempts: (n) =>
        n === undefined
          ? 'Too many attempts. Try again later.'
          : `Too many attempts. Try again in ${n} ${minutes.select(n) === 'one' ? 'minute' : 'minutes'}.`,
      blocked: 'This account is blocked. Contact your administrator.',
      server_error: 'Something went wrong on our side. Please try again.',
    },
  },
  signup: {
    title: 'Sign up',
    heading: 'Create your account',
    intro: (tenant, client) =>
      client === undefined ? `Sign up to ${tenant}.` : `Sign up to ${tenant} to continue to ${client}.`,
    emailLabel: 'Email address',
    passwordLabel: 'Password',
    passwordHint: (n) => `At least ${n} characters.`,
    submit: 'Continue',
    haveAccount: 'Already have an account?',
    loginLink: 'Log in',
    errors: {
      email_taken: 'An account with this email already exists.',
      invalid_email: 'Enter a valid email address.',
      weak_password: 'This password is too weak. Choose a longer, less common one.',
      too_many_attempts: 'Too many sign-up attempts from your network. Try again later.',
      server_error: 'Something went wrong on our side. Please try again.',
    },
  },
  consent: {
    title: 'Authorize',
    heading: (client) => `Authorize ${client}`,
    intro: (client, tenant) => `${client} is requesting access to your ${tenant} account.`,
    audience: (audience) => `For the API ${audience}.`,
    scopesLabel: 'It will be able to:',
    accept: 'Accept',
    deny: 'Decline',
  },
  scopes: {
    openid: 'Confirm your identity',
    profile: 'See your basic profile (name, picture)',
    email: 'See your email address',
    address: 'See your postal address',
    phone: 'See your phone number',
    offline_access: 'Keep access while you are away',
  },
  logout: {
    title: 'Log out',
    heading: 'Log out?',
    question: (tenant, client) =>
      client === undefined
        ? `Do you want to log out of ${tenant}?`
        : `${client} asks to log you out of ${tenant}. Do you want to log out?`,
    confirm: 'Yes, log out',
    cancel: 'No, stay logged in',
  },
  loggedOut: {
    title: 'Logged out',
    heading: 'You are logged out',
    body: (tenant) => `You have been logged out of ${tenant}. You can close this window.`,
  },
  home: {
    title: 'Home',
    heading: 'Tessera',
    intro: 'This server is a Tessera identity provider (OpenID Connect, Auth0-compatible).',
    issuerLabel: 'Issuer:',
    discoveryLink: 'OpenID Connect discovery document',
    docs: 'The documentation comes with Tessera: README.md and the docs/ folder of its repository.',
    tryBefore: 'To see a login, run',
    tryAfter: 'in the repository.',
  },
  error: {
    title: 'Error',
    headings: {
      access_denied: 'Access denied',
      invalid_request: 'Invalid request',
      login_required: 'Please log in again',
      server_error: 'Something went wrong',
      temporarily_unavailable: 'Temporarily unavailable',
      unauthorized_client: 'This application is not allowed here',
    },
    descriptions: {
      temporarily_unavailable: 'The service is temporarily unavailable. Try again in a moment.',
    },
    heading: 'Something went wrong',
    codeLabel: 'Error code:',
    requestIdLabel: 'Reference:',
  },
};
