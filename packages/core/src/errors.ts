/**
 * One error hierarchy for everything Tessera answers with. `code` is the wire error code (OAuth 2.0
 * `error`, or Auth0's `errorCode` for the Management API); `expose` says whether `description` may be
 * shown to the caller. Internal messages never reach clients: unknown failures become `ServerError`.
 */
export class TesseraError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly description: string;

  constructor(
    status: number,
    code: string,
    description: string,
    options?: { expose?: boolean; cause?: unknown },
  ) {
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.description = description;
    this.expose = options?.expose ?? status < 500;
  }
}

export class InvalidRequestError extends TesseraError {
  constructor(description: string, options?: { cause?: unknown }) {
    super(400, 'invalid_request', description, options);
  }
}

export class AccessDeniedError extends TesseraError {
  constructor(description: string, options?: { cause?: unknown }) {
    super(403, 'access_denied', description, options);
  }
}

export class NotFoundError extends TesseraError {
  constructor(description: string, options?: { cause?: unknown }) {
    super(404, 'not_found', description, options);
  }
}

export class ConflictError extends TesseraError {
  constructor(description: string, options?: { cause?: unknown }) {
    super(409, 'conflict', description, options);
  }
}

/** The public text of every 503: never which store failed nor why (that goes to the log). */
export const UNAVAILABLE_DESCRIPTION = 'The service is temporarily unavailable; try again in a moment.';

/** Seconds a caller should wait before retrying a 503: the `Retry-After` of every one. */
export const RETRY_AFTER_SECONDS = '5';

/** The headers of every 503, in any wire format: retry shortly, and let no cache keep the failure. */
export const UNAVAILABLE_HEADERS = {
  'retry-after': RETRY_AFTER_SECONDS,
  'cache-control': 'no-store',
} as const;

/**
 * A backing service (database, KV store) is unreachable: the request may succeed later. `dependency`
 * names it for the log line; callers only ever read UNAVAILABLE_DESCRIPTION.
 *
 * oidc-provider answers what its routes throw by its own convention (lib/helpers/err_out.js and
 * shared/error_handler.js): the wire code in `message`, the text in `error_description`, the status
 * in `statusCode`. This error follows it, so a store failing inside a provider route answers 503
 * `temporarily_unavailable` there as everywhere else.
 */
export class ServiceUnavailableError extends TesseraError {
  readonly dependency: string;
  readonly statusCode = 503;
  readonly error_description = UNAVAILABLE_DESCRIPTION;
  constructor(dependency: string, options?: { cause?: unknown }) {
    super(503, 'temporarily_unavailable', UNAVAILABLE_DESCRIPTION, { ...options, expose: true });
    this.message = this.code;
    this.dependency = dependency;
  }
}

export class ServerError extends TesseraError {
  constructor(description = 'internal server error', options?: { cause?: unknown }) {
    super(500, 'server_error', description, { ...options, expose: false });
  }
}

/** Invalid configuration found at boot. `variable` is the environment variable (or config file key) at fault. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** The message of a failure's log line: for a 503, which store failed (callers never read that). */
export function logMessageOf(error: unknown, otherwise: string): string {
  return error instanceof ServiceUnavailableError ? `${error.dependency} is unavailable` : otherwise;
}

/** Maps anything thrown to a TesseraError; unknown errors become an unexposed ServerError. */
export function toTesseraError(error: unknown): TesseraError {
  if (error instanceof TesseraError) return error;
  return new ServerError(undefined, { cause: error });
}
