/**
 * What an action asked for, as data. Inside the isolate every `api.*` method only serialises its
 * arguments; the host validates them (validate-*.ts) and records one of these commands, in call order.
 * The login layer applies them after the run; nothing here has side effects.
 */

/** The factor types of Auth0's `challengeWith` / `enrollWith` family (docs/actions.md#mfa). */
export type FactorType =
  | 'otp'
  | 'recovery-code'
  | 'email'
  | 'phone'
  | 'webauthn-roaming'
  | 'webauthn-platform'
  | 'push-notification';

export interface Factor {
  type: FactorType;
  /** Factor-specific options, e.g. `{ otpFallback: false }` for push-notification. */
  options?: Record<string, unknown>;
}

/** `api.multifactor.enable` providers, as Auth0 lists them. */
export type MultifactorProvider = 'any' | 'duo' | 'none' | 'guardian' | 'google-authenticator';

/** What Auth0 accepts as a SAML attribute value; `null` removes the attribute. */
export type SamlAttributeValue = string | number | boolean | null | Array<string | number | boolean>;

type SamlSetter<Name extends string, Value> = { type: `samlResponse.${Name}`; value: Value };

/** Every SAML setter other than setAttribute records `{ value }`. */
export type SamlSettingBody =
  | SamlSetter<'setAudience', string>
  | SamlSetter<'setRecipient', string>
  | SamlSetter<'setDestination', string>
  | SamlSetter<'setIssuer', string>
  | SamlSetter<'setRelayState', string>
  | SamlSetter<'setNameIdentifierFormat', string>
  | SamlSetter<'setAuthnContextClassRef', string>
  | SamlSetter<'setSigningCert', string>
  | SamlSetter<'setEncryptionCert', string>
  | SamlSetter<'setEncryptionPublicKey', string>
  | SamlSetter<'setCert', string>
  | SamlSetter<'setKey', string>
  | SamlSetter<'setCreateUpnClaim', boolean>
  | SamlSetter<'setPassthroughClaimsWithNoMapping', boolean>
  | SamlSetter<'setMapUnknownClaimsAsIs', boolean>
  | SamlSetter<'setMapIdentities', boolean>
  | SamlSetter<'setSignResponse', boolean>
  | SamlSetter<'setIncludeAttributeNameFormat', boolean>
  | SamlSetter<'setTypedAttributes', boolean>
  | SamlSetter<'setSignatureAlgorithm', 'rsa-sha256' | 'rsa-sha1'>
  | SamlSetter<'setDigestAlgorithm', 'sha256' | 'sha1'>
  | SamlSetter<'setLifetimeInSeconds', number>
  | SamlSetter<'setNameIdentifierProbes', string[]>;

/** A command without the action that recorded it: what a validator produces. */
export type CommandBody =
  | { type: 'access.deny'; reason: string }
  | { type: 'accessToken.setCustomClaim'; key: string; value: unknown }
  | { type: 'accessToken.addScope'; scope: string }
  | { type: 'accessToken.removeScope'; scope: string }
  | { type: 'idToken.setCustomClaim'; key: string; value: unknown }
  | { type: 'authentication.challengeWith'; factor: Factor; additionalFactors: Factor[] }
  | { type: 'authentication.challengeWithAny'; factors: Factor[] }
  | { type: 'authentication.enrollWith'; factor: Factor; additionalFactors: Factor[] }
  | { type: 'authentication.enrollWithAny'; factors: Factor[] }
  | { type: 'authentication.recordMethod'; url: string }
  | { type: 'authentication.setPrimaryUser'; userId: string }
  | { type: 'multifactor.enable'; provider: MultifactorProvider; allowRememberBrowser: boolean }
  /** `url` is normalised (WHATWG URL `href`) with the `query` option already merged in. */
  | { type: 'redirect.sendUserTo'; url: string }
  /** `value: null` removes the key (Auth0: "This may be set to null to remove the metadata property"). */
  | { type: 'user.setAppMetadata'; key: string; value: unknown }
  | { type: 'user.setUserMetadata'; key: string; value: unknown }
  | { type: 'samlResponse.setAttribute'; attribute: string; value: SamlAttributeValue }
  | SamlSettingBody
  | { type: 'validation.error'; code: string; message: string }
  | { type: 'prompt.render'; promptId: string; vars: Record<string, unknown> }
  | { type: 'refreshToken.revoke'; reason: string }
  /** Milliseconds since the Unix epoch, as Auth0 takes them. */
  | { type: 'refreshToken.setExpiresAt'; at: number }
  | { type: 'refreshToken.setIdleExpiresAt'; at: number }
  | { type: 'session.revoke'; reason: string; preserveRefreshTokens: boolean }
  | { type: 'session.setExpiresAt'; at: number }
  | { type: 'session.setIdleExpiresAt'; at: number }
  | { type: 'session.setCookieMode'; mode: 'persistent' | 'non-persistent' }
  | { type: 'session.setMetadata'; key: string; value: string }
  | { type: 'session.deleteMetadata'; key: string }
  | { type: 'session.evictMetadata' }
  /** `value: null` removes the key. */
  | { type: 'transaction.setMetadata'; key: string; value: unknown };

/** One accepted api call. `action` is the name of the action that made it. */
/**
 * A recorded api call. When a command's whole `value` is one of its action's secrets (a SAML signing
 * key kept in a secret, as Auth0 recommends), the value is replaced by `[REDACTED]` and `secretRef`
 * names the secret: the login layer, which handed the secrets to the run, resolves it when applying the
 * command, and the value itself never appears in a result, log or execution record.
 */
export type Command = CommandBody & { action: string; secretRef?: { actionId: string; name: string } };

export type CommandType = Command['type'];

/** Commands that end the login (or refresh) as denied once the current action finishes. */
export const DENYING: ReadonlySet<string> = new Set<CommandType>([
  'access.deny',
  'validation.error',
  'session.revoke',
  'refreshToken.revoke',
]);

/**
 * Commands that suspend the pipeline after the current action: later actions run only once the user
 * comes back (Auth0: "subsequent Actions will not be run until that challenge has been fulfilled").
 */
export const PAUSING: ReadonlySet<string> = new Set<CommandType>([
  'redirect.sendUserTo',
  'prompt.render',
  'authentication.challengeWith',
  'authentication.challengeWithAny',
  'authentication.enrollWith',
  'authentication.enrollWithAny',
]);
