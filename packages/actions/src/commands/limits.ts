/**
 * Bounds on what one trigger run may ask the host to record (docs/security.md#8: output floods end in a
 * bounded, clear error). Breaking one of these is a *limit* error: the run fails even if the tenant
 * catches the thrown error, and `CommandRecorder.limitExceeded` stays set for the rest of the run.
 */
export interface RecorderLimits {
  /** Bytes of one call's JSON-serialised arguments, checked before parsing. */
  maxArgsBytes: number;
  /** Nesting depth of any one argument (objects and arrays). */
  maxDepth: number;
  /** Api calls per run, accepted or not (every call costs host work). */
  maxCalls: number;
  /** Bytes of arguments of all accepted calls in a run: bounds what a run keeps in memory. */
  maxTotalArgsBytes: number;
  /** Bytes of custom claims per token (Auth0: "Custom claims payload is set to a maximum of 100KB"). */
  maxClaimBytes: number;
  /** Bytes of a deny reason, validation error code or message, or revoke reason. */
  maxReasonBytes: number;
}

export const DEFAULT_LIMITS: Readonly<RecorderLimits> = Object.freeze({
  maxArgsBytes: 256 * 1024,
  maxDepth: 32,
  maxCalls: 1000,
  maxTotalArgsBytes: 2 * 1024 * 1024,
  maxClaimBytes: 100 * 1024,
  maxReasonBytes: 4 * 1024,
});

/** Not run-failing limits but shape rules, shared by the validators. */
export const MAX_URL_BYTES = 4 * 1024;
/** Auth0 session metadata: "maximum 255 characters each", "Maximum of 25 metadata properties". */
export const MAX_SESSION_METADATA_KEYS = 25;
export const MAX_SESSION_METADATA_CHARS = 255;
/** Auth0 limitations page: "primary_user_id is limited to 128 characters". */
export const MAX_PRIMARY_USER_ID_CHARS = 128;
