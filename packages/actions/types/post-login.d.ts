// Tessera post-login Actions: the `event` and `api` objects an action receives, as Auth0 defines them
// (trigger `post-login`, version v3). Standalone on purpose (no imports) so a tenant can copy this one
// file next to an action and get editor help. Long because it is the whole contract in one place:
// `event.*` first, then `api.*`, then the handler types.
//
// TypeScript:
//
//   import type { OnExecutePostLogin } from './post-login';
//   export const onExecutePostLogin: OnExecutePostLogin = async (event, api) => {
//     api.idToken.setCustomClaim('https://example.com/roles', event.authorization.roles);
//   };
//
// Plain JavaScript (add `// @ts-check` as the first line to get errors, not just completion):
//
//   /**
//    * @param {import('./post-login').Event} event
//    * @param {import('./post-login').PostLoginAPI} api
//    */
//   exports.onExecutePostLogin = async (event, api) => {
//     if (!event.user.email_verified) api.access.deny('Please verify your email first.');
//   };

/** A string that offers the listed values for completion but accepts any other string. */
type OpenString<Known extends string> = Known | (string & Record<never, never>);

// ───────────────────────────── event ─────────────────────────────

/** MFA factor types (`event.user.enrolledFactors[].type`, `api.authentication.*`). */
export type FactorType =
  | 'otp'
  | 'recovery-code'
  | 'email'
  | 'phone'
  | 'webauthn-roaming'
  | 'webauthn-platform'
  | 'push-notification';

/** How the login started: authorization code → `oidc-basic-profile`, implicit → `oidc-implicit-profile`… */
export type Protocol =
  | 'oidc-basic-profile'
  | 'oidc-implicit-profile'
  | 'oidc-hybrid-profile'
  | 'oauth2-resource-owner'
  | 'oauth2-refresh-token'
  | 'oauth2-device-code'
  | 'oauth2-token-exchange'
  | 'samlp';

/** First factors (`pwd`…), `mfa` for a completed second factor, or a URL given to `recordMethod`. */
export type AuthenticationMethodName = OpenString<
  'pwd' | 'federated' | 'passkey' | 'mfa' | 'email' | 'sms' | 'phone_number'
>;

export interface UserIdentity {
  /** Name of the connection of this identity, e.g. `Username-Password-Authentication`. */
  connection: string;
  /** `auth0` for database connections, else the social/enterprise strategy. */
  provider: string;
  /** The id within the provider (the user id without its `provider|` prefix). */
  user_id: string;
  isSocial: boolean;
  /** Profile attributes from the provider, for secondary (linked) identities. */
  profileData?: Record<string, unknown>;
}

export interface EnrolledFactor {
  type: OpenString<FactorType>;
  options?: Record<string, unknown>;
}

/** The user on whose behalf the transaction runs. Optional fields are absent when unknown. */
export interface EventUser {
  /** `auth0|<id>` for users of a database connection. */
  user_id: string;
  username?: string;
  email?: string;
  email_verified: boolean;
  phone_number?: string;
  phone_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  picture?: string;
  /** Data the user may edit. Changes made with `api.user.setUserMetadata` show here at once. */
  user_metadata: Record<string, unknown>;
  /** Data only the tenant edits. Changes made with `api.user.setAppMetadata` show here at once. */
  app_metadata: Record<string, unknown>;
  /** ISO 8601 date. */
  created_at: string;
  /** ISO 8601 date. */
  updated_at: string;
  /** ISO 8601 date of the last password change, when there was one. */
  last_password_reset?: string;
  identities: UserIdentity[];
  /** MFA providers the user is enrolled with (e.g. `guardian`). */
  multifactor: string[];
  /** MFA factors the user has enrolled. */
  enrolledFactors: EnrolledFactor[];
}

export interface EventClient {
  client_id: string;
  name: string;
  metadata: Record<string, string>;
}

export interface EventConnection {
  id: string;
  /** `Username-Password-Authentication` for the default database connection. */
  name: string;
  /** `auth0` for database connections; social and enterprise connections name their strategy. */
  strategy: string;
  metadata: Record<string, string>;
}

export interface EventOrganization {
  id: string;
  name: string;
  display_name: string;
  metadata: Record<string, string>;
}

export interface EventResourceServer {
  /** The requested audience. */
  identifier: string;
}

/** Where the request came from; every field is absent when it is not known. */
export interface EventGeoIp {
  countryCode?: string;
  countryCode3?: string;
  countryName?: string;
  cityName?: string;
  latitude?: number;
  longitude?: number;
  timeZone?: string;
  subdivisionCode?: string;
  subdivisionName?: string;
  continentCode?: string;
}

export interface EventRequest {
  ip: string;
  hostname: string;
  method: string;
  /** Preferred language from `Accept-Language`. */
  language?: string;
  user_agent?: string;
  query: Record<string, unknown>;
  /** Never holds passwords, client secrets, codes or tokens. */
  body: Record<string, unknown>;
  /** Empty (`{}`) when no GeoIP database is configured, so `event.request.geoip.countryCode` never throws. */
  geoip: EventGeoIp;
}

export interface EventTransaction {
  id: string;
  /** The negotiated UI locale, e.g. `en`. */
  locale: string;
  protocol: Protocol;
  requested_scopes: string[];
  acr_values: string[];
  ui_locales: string[];
  redirect_uri?: string;
  prompt?: string[];
  login_hint?: string;
  response_mode?: OpenString<'query' | 'fragment' | 'form_post' | 'web_message'>;
  response_type?: string[];
  state?: string;
  /** Set with `api.transaction.setMetadata`; survives a redirect. */
  metadata: Record<string, string | number | boolean>;
}

export interface AuthenticationMethod {
  name: AuthenticationMethodName;
  /** ISO 8601 date the method was completed. */
  timestamp: string;
}

export interface EventAuthentication {
  /** Methods completed in this session, first factor first. */
  methods: AuthenticationMethod[];
}

export interface SessionDevice {
  initial_ip?: string;
  initial_user_agent?: string;
  last_ip?: string;
  last_user_agent?: string;
}

/** The login session (dates are ISO 8601). */
export interface EventSession {
  id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  authenticated_at: string;
  last_interacted_at: string;
  idle_expires_at?: string;
  expires_at?: string;
  /** Applications this session has logged in to. */
  clients: Array<{ client_id: string }>;
  cookie: { mode: 'persistent' | 'non-persistent' };
  /** Set with `api.session.setMetadata`. */
  metadata: Record<string, string>;
  device: SessionDevice;
}

/** The refresh token being exchanged, when `transaction.protocol` is `oauth2-refresh-token`. */
export interface EventRefreshToken {
  id: string;
  session_id?: string;
  user_id: string;
  client_id: string;
  rotating: boolean;
  /** `scopes` is space-separated, as in the token response. */
  resource_servers: Array<{ audience: string; scopes: string }>;
  created_at: string;
  expires_at?: string;
  idle_expires_at?: string;
  last_exchanged_at?: string;
  metadata: Record<string, string>;
  device: SessionDevice;
}

/** The form rendered by `api.prompt.render`, in `onContinuePostLogin`. */
export interface EventPrompt {
  id: string;
  fields: Record<string, unknown>;
}

/** Context about the login: read-only information, changed only through `api`. */
export interface Event {
  user: EventUser;
  /** The application the user logs in to. */
  client: EventClient;
  /** The connection that authenticated the user. */
  connection: EventConnection;
  /** Present when the login is in an organization. */
  organization?: EventOrganization;
  /** Present when an audience was requested. */
  resource_server?: EventResourceServer;
  tenant: { id: string };
  stats: { logins_count: number };
  /** Names of the user's roles. */
  authorization: { roles: string[] };
  /** This action's secrets (only its own). */
  secrets: Record<string, string>;
  /** This action's configuration values. */
  configuration: Record<string, string>;
  request: EventRequest;
  transaction: EventTransaction;
  authentication: EventAuthentication;
  session?: EventSession;
  refresh_token?: EventRefreshToken;
  /** Present in `onContinuePostLogin` after `api.prompt.render`. */
  prompt?: EventPrompt;
}

export type PostLoginEvent = Event;

// ───────────────────────────── api ─────────────────────────────

/** A factor to challenge or enroll; factor-specific options belong on `options`. */
export type Factor =
  | { type: 'otp' | 'recovery-code' | 'email' | 'webauthn-roaming' | 'webauthn-platform' }
  | { type: 'phone'; options?: { preferredMethod?: 'voice' | 'sms' | 'both' } }
  | { type: 'push-notification'; options?: { otpFallback?: boolean } };

export type MultifactorProvider = 'any' | 'duo' | 'none' | 'guardian' | 'google-authenticator';

export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

/** A SAML attribute value; `null` or `undefined` removes the attribute. */
export type SamlAttributeValue = string | number | boolean | Array<string | number | boolean>;

export interface PostLoginAPI {
  /** Modify the access of the user that is logging in, such as rejecting the login attempt. */
  access: {
    /**
     * Deny the login: no token is issued and no later action runs. Metadata changes already requested
     * are NOT cancelled.
     * @param reason Human-readable explanation; may be shown to the end user.
     */
    deny(reason: string): PostLoginAPI;
  };

  /** Request changes to the access token being issued. */
  accessToken: {
    /**
     * Set a custom claim on the access token. Registered claim names (`sub`, `scope`…) are dropped.
     * @param key Name of the claim (may need to be a fully-qualified URL).
     * @param value Any JSON value.
     */
    setCustomClaim(key: string, value: unknown): PostLoginAPI;
    /** Add a scope to the access token (and the token response's `scope`). */
    addScope(scope: string): PostLoginAPI;
    /** Remove a scope from the access token (and the token response's `scope`). */
    removeScope(scope: string): PostLoginAPI;
  };

  /** Request changes to the authentication state of the current user's session. */
  authentication: {
    /**
     * Challenge the user with `factor` (or any of `options.additionalFactors`); later actions wait until
     * the challenge is satisfied. Factors already satisfied or not enabled are ignored.
     */
    challengeWith(factor: Factor, options?: { additionalFactors?: Factor[] }): PostLoginAPI;
    /** Challenge with any of `factors`, showing a factor selector first (unless only one is valid). */
    challengeWithAny(factors: Factor[]): PostLoginAPI;
    /**
     * Enroll the user in `factor` (or any of `options.additionalFactors`); later actions wait until the
     * enrollment is done. Factors already enrolled or not enabled are ignored; if none is left the login fails.
     */
    enrollWith(factor: Factor, options?: { additionalFactors?: Factor[] }): PostLoginAPI;
    /** Enroll with any of `factors`, showing a factor selector first (unless only one is valid). */
    enrollWithAny(factors: Factor[]): PostLoginAPI;
    /**
     * Record that a custom authentication method was completed; it appears in
     * `event.authentication.methods` on later logins. Only in `onContinuePostLogin`.
     * @param provider_url An `http:` or `https:` URL that identifies the method.
     */
    recordMethod(provider_url: string): PostLoginAPI;
    /**
     * Issue tokens for another user (`sub`). The identity that logged in must be a secondary identity of
     * that user, else the login fails. Insecure account linking lets attackers take over accounts.
     */
    setPrimaryUser(primary_user_id: string): PostLoginAPI;
  };

  /** Short-lived key/value store scoped to the trigger (best effort; entries may vanish early). */
  cache: {
    /** The record at `key`, if any; the value is at `.value`. */
    get(key: string): { value: string; expires_at: number } | undefined;
    /**
     * Store a string at `key`. Lifetime: `ttl` (ms) or `expires_at` (ms since the epoch); default and
     * maximum 24 hours.
     */
    set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
    /** Delete the record at `key` if it exists. */
    delete(key: string): CacheWriteResult;
  };

  /** Request changes to the ID token being issued. */
  idToken: {
    /**
     * Set a custom claim on the ID token. Registered claim names (`sub`, `nonce`…) are dropped.
     * @param key Name of the claim (may need to be a fully-qualified URL).
     * @param value Any JSON value.
     */
    setCustomClaim(key: string, value: unknown): PostLoginAPI;
  };

  /** Set or remove the requirement for multifactor authentication on the login attempt. */
  multifactor: {
    /**
     * Require MFA for this login; the challenge is deferred to the end of the flow.
     * @param provider A configured provider, or `any` for any of them.
     */
    enable(
      provider: MultifactorProvider,
      options?: { allowRememberBrowser?: boolean; providerOptions?: Record<string, unknown> },
    ): PostLoginAPI;
  };

  /** Render a custom prompt (form). */
  prompt: {
    /**
     * Show the form `promptId` after this action; its fields arrive in `event.prompt.fields` in
     * `onContinuePostLogin`. One per action, never together with a redirect.
     */
    render(
      promptId: string,
      promptOptions?: { vars?: Record<string, unknown>; fields?: Record<string, unknown> },
    ): PostLoginAPI;
  };

  /** Configure and initiate external redirects. */
  redirect: {
    /**
     * A signed token (HS256 JWT with `iat`, `exp`, `iss`, `sub`, `ip` and `payload`) to pass to the
     * redirect target, which verifies it with the shared secret.
     * @param options.secret Keep it in this action's secrets (`event.secrets`).
     * @param options.expiresInSeconds Default 900.
     */
    encodeToken(options: {
      secret: string;
      payload: Record<string, unknown>;
      expiresInSeconds?: number;
    }): string;
    /**
     * Redirect the browser to `url` once this action completes (adding `state`); the user comes back to
     * `/continue`, which runs this action's `onContinuePostLogin`.
     */
    sendUserTo(url: string, options?: { query?: Record<string, string> }): PostLoginAPI;
    /**
     * The payload of the token passed to `/continue`, after checking its signature, expiry, issuer,
     * subject and state. Throws if the token is invalid.
     * @param options.tokenParameterName Default `session_token`.
     */
    validateToken(options: { secret: string; tokenParameterName?: string }): Record<string, unknown>;
    /**
     * Whether this transaction may redirect: not for `oauth2-resource-owner`, `oauth2-refresh-token`
     * or `prompt=none`.
     */
    canRedirect(): boolean;
  };

  /** [Enterprise Customers] Request changes to the current refresh token. */
  refreshToken: {
    /**
     * Revoke the refresh token and deny the exchange; no later action runs. Only when
     * `event.transaction.protocol === 'oauth2-refresh-token'`.
     */
    revoke(reason: string): PostLoginAPI;
    /**
     * New absolute expiry, in ms since the epoch; capped by the maximum lifetime, earliest call wins.
     */
    setExpiresAt(absolute: number): PostLoginAPI;
    /** New idle expiry, in ms since the epoch; capped by the maximum lifetime, earliest call wins. */
    setIdleExpiresAt(inactivity: number): PostLoginAPI;
  };

  /** Identify whether a legacy Rule ran in this transaction. */
  rules: {
    /** Tessera has no legacy Rules: always `false`. */
    wasExecuted(ruleId: string): boolean;
  };

  /** Configure the SAML response (SAML applications only). */
  samlResponse: {
    /** Set a SAML attribute on the assertion; `null` or `undefined` removes it. */
    setAttribute(attribute: string, value: SamlAttributeValue | null | undefined): PostLoginAPI;
    /** Audience of the assertion. Default: the issuer of the SAMLRequest. */
    setAudience(audience: string): PostLoginAPI;
    /** Recipient (SubjectConfirmationData). Default: the AssertionConsumerUrl or the callback URL. */
    setRecipient(recipient: string): PostLoginAPI;
    /** Whether to create a UPN claim. Default `true`. */
    setCreateUpnClaim(createUpnClaim: boolean): PostLoginAPI;
    /** Whether claims not mapped to the common profile pass through. Default `true`. */
    setPassthroughClaimsWithNoMapping(passthroughClaimsWithNoMapping: boolean): PostLoginAPI;
    /** Pass unmapped claims as-is instead of prefixing `http://schema.auth0.com`. Default `false`. */
    setMapUnknownClaimsAsIs(mapUnknownClaimsAsIs: boolean): PostLoginAPI;
    /** Whether to add identity information (provider, access token). Default `true`. */
    setMapIdentities(mapIdentities: boolean): PostLoginAPI;
    /** Signature algorithm. Default `rsa-sha256`. */
    setSignatureAlgorithm(signatureAlgorithm: 'rsa-sha256' | 'rsa-sha1'): PostLoginAPI;
    /** Digest algorithm. Default `sha256`. */
    setDigestAlgorithm(digestAlgorithm: 'sha256' | 'sha1'): PostLoginAPI;
    /** Destination of the response. Default: the AssertionConsumerUrl or the callback URL. */
    setDestination(destination: string): PostLoginAPI;
    /** Assertion lifetime. Default 3600 seconds. */
    setLifetimeInSeconds(lifetimeInSeconds: number): PostLoginAPI;
    /** Sign the response instead of the assertion. Default `false`. */
    setSignResponse(signResponse: boolean): PostLoginAPI;
    /** NameID format. Default `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`. */
    setNameIdentifierFormat(nameIdentifierFormat: string): PostLoginAPI;
    /** Attributes tried in order for the NameID. Default: nameidentifier, emailaddress, name. */
    setNameIdentifierProbes(nameIdentifierProbes: string[]): PostLoginAPI;
    /** AuthnContextClassRef. Default `urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified`. */
    setAuthnContextClassRef(authnContextClassRef: string): PostLoginAPI;
    /** PEM certificate that verifies SAML requests; once set, AuthnRequests must be signed. */
    setSigningCert(signingCert: string): PostLoginAPI;
    /** Infer each attribute's NameFormat from its name. Default `true`. */
    setIncludeAttributeNameFormat(includeAttributeNameFormat: boolean): PostLoginAPI;
    /** Infer each attribute's `xs:type` (else `xs:anyType`). Default `true`. */
    setTypedAttributes(typedAttributes: boolean): PostLoginAPI;
    /** PEM certificate to encrypt the assertion; needs `setEncryptionPublicKey` too. */
    setEncryptionCert(encryptionCert: string): PostLoginAPI;
    /** PEM public key to encrypt the assertion; needs `setEncryptionCert` too. */
    setEncryptionPublicKey(encryptionPublicKey: string): PostLoginAPI;
    /** PEM certificate replacing the tenant's signing certificate; needs `setKey` too. */
    setCert(cert: string): PostLoginAPI;
    /** PEM private key replacing the tenant's signing key (keep it in a secret); needs `setCert` too. */
    setKey(key: string): PostLoginAPI;
    /** RelayState returned to the service provider. */
    setRelayState(relayState: string): PostLoginAPI;
    /** Issuer of the assertion. Default `urn:auth0:<tenant>`. */
    setIssuer(issuer: string): PostLoginAPI;
  };

  /** [Enterprise Customers] Request changes to the current session. */
  session: {
    /** Revoke the session and deny the login; no later action runs. */
    revoke(reason: string, options?: { preserveRefreshTokens?: boolean }): PostLoginAPI;
    /** New absolute expiry, in ms since the epoch; capped by the tenant maximum, earliest call wins. */
    setExpiresAt(absolute: number): PostLoginAPI;
    /** New idle expiry, in ms since the epoch; capped by the tenant maximum, earliest call wins. */
    setIdleExpiresAt(inactivity: number): PostLoginAPI;
    /** `persistent` keeps the cookie until it expires; `non-persistent` drops it when the browser closes. */
    setCookieMode(mode: 'persistent' | 'non-persistent'): PostLoginAPI;
    /** Set a session metadata key; `null` deletes it. */
    setMetadata(key: string, value: string | null): PostLoginAPI;
    /** Delete a session metadata key. */
    deleteMetadata(key: string): PostLoginAPI;
    /** Delete every session metadata key. */
    evictMetadata(): PostLoginAPI;
  };

  /** Make changes to the transaction. */
  transaction: {
    /** Set a key of `event.transaction.metadata` (visible at once, survives a redirect); `null` removes it. */
    setMetadata(key: string, value: string | number | boolean | null): PostLoginAPI;
  };

  /** Make changes to the metadata of the user that is logging in. */
  user: {
    /**
     * Set a top-level key of `app_metadata`; `null` removes it. Visible at once in `event.user`; saved
     * once when the flow finishes.
     */
    setAppMetadata(key: string, value: unknown): PostLoginAPI;
    /**
     * Set a top-level key of `user_metadata`; `null` removes it. Visible at once in `event.user`; saved
     * once when the flow finishes.
     */
    setUserMetadata(key: string, value: unknown): PostLoginAPI;
  };

  /** Prevent the login with a validation error. */
  validation: {
    /** Fail the login: the application receives `error=<errorCode>&error_description=<errorMessage>`. */
    error(errorCode: string, errorMessage: string): PostLoginAPI;
  };
}

export type API = PostLoginAPI;

// ─────────────────────────── handlers ───────────────────────────

/** Runs for every login, in binding order. */
export type OnExecutePostLogin = (event: Event, api: PostLoginAPI) => void | Promise<void>;

/** Runs when the user comes back to `/continue` after `api.redirect.sendUserTo` or `api.prompt.render`. */
export type OnContinuePostLogin = (event: Event, api: PostLoginAPI) => void | Promise<void>;

/** What an action module exports. */
export interface PostLoginHandlers {
  onExecutePostLogin?: OnExecutePostLogin;
  onContinuePostLogin?: OnContinuePostLogin;
}
