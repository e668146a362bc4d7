/**
 * Why a tenant's `fetch` failed. The sandbox turns it into a rejected promise inside the isolate, so the
 * message is written for the tenant's developer: it names the host and the rule, never request headers or
 * bodies (they may carry the tenant's secrets into logs and execution records).
 */
export type EgressErrorCode = 'blocked' | 'timeout' | 'too_large' | 'network' | 'invalid';

export class EgressError extends Error {
  readonly code: EgressErrorCode;

  constructor(code: EgressErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EgressError';
    this.code = code;
  }
}
