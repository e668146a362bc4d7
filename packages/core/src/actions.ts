/**
 * Auth0's Actions limits (docs/actions.md#limits), one definition for every layer that enforces
 * them: storage refuses actions that break them, the runtime refuses runs that do.
 */
export const ACTION_LIMITS = {
  /** Code of one action, in UTF-8 bytes. */
  codeBytes: 100 * 1024,
  /** Actions bound to one trigger. */
  bound: 20,
  secrets: 30,
  secretName: 128,
  secretValue: 4096,
} as const;
