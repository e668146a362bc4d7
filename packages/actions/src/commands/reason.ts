import { typeName, utf8Bytes } from './checks.ts';
import type { Outcome, RunState } from './validator.ts';
import { refuse, refuseLimit } from './validator.ts';

/**
 * Checks a human-readable text that ends up in an error response (deny reason, validation message,
 * revoke reason). It may be empty (Auth0 examples call `api.access.deny("")`), but it is bounded: it
 * travels in a redirect URL and an execution record (docs/security.md#8: a 1 MB deny reason).
 */
export function checkReason(value: unknown, where: string, state: RunState): Outcome | undefined {
  if (typeof value !== 'string') return refuse(`${where} must be a string (got ${typeName(value)})`);
  const bytes = utf8Bytes(value);
  const max = state.limits.maxReasonBytes;
  if (bytes > max) return refuseLimit(`${where} is ${bytes} bytes; the limit is ${max} bytes`);
  return undefined;
}
