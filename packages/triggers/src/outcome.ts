import type { Command, RunResult } from '@tessera/actions';
import type { PostLoginOutcome, RefreshTokenChanges, SessionChanges } from '@tessera/core';
import type { MetadataChanges } from '@tessera/storage';

/** The app never learns why an action failed; the execution record does (docs/actions.md#the-post-login-trigger-in-the-login-flow). */
export const FAILED_DESCRIPTION = 'the login could not be completed: a post-login action failed';
/** The same on a refresh-token exchange (docs/actions.md#what-runs-on-a-refresh-token-exchange). */
export const REFRESH_FAILED_DESCRIPTION =
  'the refresh token exchange could not be completed: a post-login action failed';

/** `event.transaction.protocol` of a refresh-token exchange. */
export const REFRESH_PROTOCOL = 'oauth2-refresh-token';
export const PAUSE_UNSUPPORTED =
  'the login could not be completed: a post-login action asked for a form, which this server does not show yet';
/**
 * docs/security.md#52: until Tessera has MFA, every second factor an action asks for fails the login
 * closed. The app is told the cause (the tenant's actions ask for what the server cannot do yet), not
 * the generic failure: nothing is broken, and retrying will not help.
 */
export const MFA_UNSUPPORTED =
  'the login could not be completed: a post-login action required multi-factor authentication, which this server does not provide yet';

/**
 * Auth0's answer when a password-grant login needs a second factor (protocol `oauth2-resource-owner`:
 * no browser to show a challenge to). Auth0 adds an `mfa_token` for its MFA API; Tessera has no MFA
 * yet, so there is none to give and nothing that would accept it (docs/actions.md#how-actions-behave-where-auth0-is-silent-or-where-we-chose).
 */
export const MFA_REQUIRED: PostLoginOutcome = {
  kind: 'deny',
  error: 'mfa_required',
  description: 'Multifactor authentication required',
};

/** The calls that challenge or enroll a factor now: each pauses the run until the user has answered it. */
const MFA_STEPS: ReadonlySet<string> = new Set<Command['type']>([
  'authentication.challengeWith',
  'authentication.challengeWithAny',
  'authentication.enrollWith',
  'authentication.enrollWithAny',
]);

/**
 * The api call by which a run asked for a second factor, if it did (docs/security.md#52): the challenge
 * or enrollment it paused on, or an `api.multifactor.enable` naming a provider. Auth0 defers enable's
 * challenge to the end of the flow, and each call sets or removes the requirement (`none` removes
 * it), so the last call of the whole run decides: `commands` must hold every part of the run, and a
 * run paused by a redirect is decided when it ends, after `/continue`.
 */
export function mfaRequest(result: RunResult): Command | undefined {
  // A denial or a failure already ends the login, with its own description.
  if (result.outcome !== 'completed') return undefined;
  if (result.pause !== undefined) return MFA_STEPS.has(result.pause.type) ? result.pause : undefined;
  const enable = result.commands.findLast((command) => command.type === 'multifactor.enable');
  return enable?.type === 'multifactor.enable' && enable.provider !== 'none' ? enable : undefined;
}

/** What the execution record says about a login denied for its MFA request (the app sees MFA_UNSUPPORTED). */
export const mfaRecordMessage = (request: Command) =>
  `action "${request.action}" called api.${request.type}; this server does not provide multi-factor authentication yet, so the login was denied`;

export type SecretLookup = (actionId: string, name: string) => string | undefined;

/** The commands with each secret reference replaced by the secret's value (what the action asked for). */
export function resolveSecretRefs(commands: readonly Command[], secrets: SecretLookup): Command[] {
  return commands.map((command) =>
    command.secretRef === undefined
      ? command
      : ({ ...command, value: secrets(command.secretRef.actionId, command.secretRef.name) } as Command),
  );
}

/** Metadata changes of a run, last write per key winning (Auth0 merges them and writes once). */
export function metadataChanges(
  commands: readonly Command[],
  secrets: SecretLookup,
): MetadataChanges | undefined {
  const changes: MetadataChanges = { app: {}, user: {} };
  let any = false;
  for (const command of commands) {
    if (command.type !== 'user.setAppMetadata' && command.type !== 'user.setUserMetadata') continue;
    const target = command.type === 'user.setAppMetadata' ? changes.app : changes.user;
    // defineProperty: a key such as `__proto__` (refused upstream anyway) stays a plain own key.
    Object.defineProperty(target, command.key, {
      // A value that is exactly a secret arrives as a reference: store what the action asked for.
      value:
        command.secretRef === undefined
          ? (command.value ?? null)
          : (secrets(command.secretRef.actionId, command.secretRef.name) ?? null),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    any = true;
  }
  return any ? changes : undefined;
}

/**
 * Turns a run into what the login flow applies (claims, scopes, session and refresh-token changes) or
 * the error the app receives. On a refresh-token exchange a denial is `invalid_grant` (the token
 * endpoint's error for a grant it will not honour), except `api.session.revoke`, which answers
 * `access_denied` as on a login, and `api.validation.error`, whose code is the action's.
 */
export function outcomeOf(
  result: RunResult,
  secrets: SecretLookup,
  protocol = '',
  sessionMetadata: Record<string, string> = {},
): PostLoginOutcome {
  const refresh = protocol === REFRESH_PROTOCOL;
  if (result.outcome === 'failed')
    return {
      kind: 'deny',
      error: refresh ? 'invalid_grant' : 'access_denied',
      description: refresh ? REFRESH_FAILED_DESCRIPTION : FAILED_DESCRIPTION,
      failed: true,
    };
  if (result.outcome === 'denied') {
    const denial = result.denial;
    if (denial.type === 'validation.error')
      return { kind: 'deny', error: denial.code, description: denial.message };
    const reason = 'reason' in denial && typeof denial.reason === 'string' ? denial.reason : '';
    if (denial.type === 'session.revoke')
      return {
        kind: 'deny',
        error: 'access_denied',
        description: reason,
        revoke: { session: { preserveRefreshTokens: denial.preserveRefreshTokens } },
      };
    if (denial.type === 'refreshToken.revoke')
      return { kind: 'deny', error: 'invalid_grant', description: reason, revoke: { refreshToken: true } };
    return { kind: 'deny', error: refresh ? 'invalid_grant' : 'access_denied', description: reason };
  }
  if (mfaRequest(result) !== undefined)
    return { kind: 'deny', error: 'access_denied', description: MFA_UNSUPPORTED };
  // A form (api.prompt.render); a redirect pause is turned into the redirect by the trigger.
  if (result.pause !== undefined)
    return { kind: 'deny', error: 'access_denied', description: PAUSE_UNSUPPORTED };
  const outcome = {
    kind: 'continue' as const,
    idTokenClaims: {},
    accessTokenClaims: {},
    addScopes: [] as string[],
    removeScopes: [] as string[],
  };
  const define = (target: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  // A claim whose value is exactly a secret travels as a reference (the run's records never hold it).
  const claimValue = (command: Command & { value: unknown }) =>
    command.secretRef === undefined
      ? command.value
      : secrets(command.secretRef.actionId, command.secretRef.name);
  for (const command of result.commands) {
    if (command.type === 'idToken.setCustomClaim')
      define(outcome.idTokenClaims, command.key, claimValue(command));
    else if (command.type === 'accessToken.setCustomClaim')
      define(outcome.accessTokenClaims, command.key, claimValue(command));
    else if (command.type === 'accessToken.addScope') outcome.addScopes.push(command.scope);
    else if (command.type === 'accessToken.removeScope') outcome.removeScopes.push(command.scope);
  }
  const session = sessionChanges(result.commands, sessionMetadata);
  const refreshToken = refreshTokenChanges(result.commands);
  return {
    ...outcome,
    ...(session === undefined ? {} : { session }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
  };
}

/** The earlier of two optional epoch-ms times (Auth0: "the earliest expiration time will be used"). */
const earliest = (current: number | undefined, next: number) =>
  current === undefined ? next : Math.min(current, next);

/**
 * `api.session.*` calls of a run: each expiry's earliest request, the last cookie mode, and the
 * metadata the session ends up with (the event's, with every set, delete and evict applied in order),
 * present only when an action changed it.
 */
export function sessionChanges(
  commands: readonly Command[],
  initialMetadata: Record<string, string>,
): SessionChanges | undefined {
  const changes: SessionChanges = {};
  let metadata: Map<string, string> | undefined;
  const current = () => {
    metadata ??= new Map(Object.entries(initialMetadata));
    return metadata;
  };
  for (const command of commands) {
    if (command.type === 'session.setExpiresAt') changes.expiresAt = earliest(changes.expiresAt, command.at);
    else if (command.type === 'session.setIdleExpiresAt')
      changes.idleExpiresAt = earliest(changes.idleExpiresAt, command.at);
    else if (command.type === 'session.setCookieMode') changes.cookieMode = command.mode;
    else if (command.type === 'session.setMetadata') current().set(command.key, command.value);
    else if (command.type === 'session.deleteMetadata') current().delete(command.key);
    else if (command.type === 'session.evictMetadata') current().clear();
  }
  if (metadata !== undefined) changes.metadata = Object.fromEntries(metadata);
  return Object.keys(changes).length === 0 ? undefined : changes;
}

/** `api.refreshToken.setExpiresAt/setIdleExpiresAt` calls of a run, the earliest of each. */
export function refreshTokenChanges(commands: readonly Command[]): RefreshTokenChanges | undefined {
  const changes: RefreshTokenChanges = {};
  for (const command of commands) {
    if (command.type === 'refreshToken.setExpiresAt')
      changes.expiresAt = earliest(changes.expiresAt, command.at);
    else if (command.type === 'refreshToken.setIdleExpiresAt')
      changes.idleExpiresAt = earliest(changes.idleExpiresAt, command.at);
  }
  return Object.keys(changes).length === 0 ? undefined : changes;
}
