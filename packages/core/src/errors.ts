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

/** A backing service (database, KV store) is unreachable: the request may succeed later. */
export class ServiceUnavailableError extends TesseraError {
  readonly dependency: string;
  constructor(dependency: string, options?: { cause?: unknown }) {
    super(503, 'temporarily_unavailable', `${dependency} is unavailable`, { ...options, expose: true });
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

/** Maps anything thrown to a TesseraError; unknown errors become an unexposed ServerError. */
export function toTesseraError(error: unknown): TesseraError {
  if (error instanceof TesseraError) return error;
  return new ServerError(undefined, { cause: error });
}
