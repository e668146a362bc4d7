import type { RecorderLimits } from './limits.ts';
import type { CommandBody } from './types.ts';

export interface RecorderContext {
  actionName: string;
  /** `event.transaction.protocol`, e.g. `oidc-basic-profile`, `oauth2-refresh-token`, `samlp`. */
  protocol: string;
  handler: 'onExecutePostLogin' | 'onContinuePostLogin';
  /** What `api.redirect.canRedirect()` answers: false for refresh/ROPG and prompt=none. */
  canRedirect: boolean;
  /** The tenant lets `sendUserTo` use plain http: to any host, not only loopback (RunInput). */
  allowHttpRedirects?: boolean;
}

/** What the validators remember across the calls of one run. */
export interface RunState {
  context: RecorderContext;
  limits: RecorderLimits;
  /** Serialised bytes of each custom claim, per token, to enforce maxClaimBytes on the total. */
  claims: { accessToken: ClaimSizes; idToken: ClaimSizes };
  /** Keys the session's metadata will hold (existing ones, then each set/delete/evict). */
  sessionMetadataKeys: Set<string>;
  primaryUserSet: boolean;
}

export interface ClaimSizes {
  bytes: Map<string, number>;
  total: number;
}

/**
 * A validator either accepts the call (a command, or only a warning when Auth0 silently ignores it)
 * or refuses it. A validator changes `RunState` only when it accepts.
 */
export type Outcome =
  | { ok: true; command: CommandBody; warning?: string }
  | { ok: true; command?: undefined; warning: string }
  /** `interaction`: refused because the transaction cannot show the user a page (canRedirect() false). */
  | { ok: false; message: string; limit?: boolean; interaction?: boolean };

export type Validator = (args: readonly unknown[], state: RunState) => Outcome;

export function refuse(message: string): Outcome {
  return { ok: false, message };
}

export function refuseLimit(message: string): Outcome {
  return { ok: false, message, limit: true };
}

export function accept(command: CommandBody): Outcome {
  return { ok: true, command };
}
