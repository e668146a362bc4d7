import { TesseraError, toTesseraError } from '@tessera/core';
import type { FastifyError } from 'fastify';

/**
 * A Management API failure in Auth0's wire format: `{ statusCode, error, message, errorCode }`, where
 * `error` is the HTTP reason phrase and `errorCode` a stable machine-readable code (Auth0's names:
 * `invalid_body`, `invalid_query_string`, `invalid_uri`, `insufficient_scope`, `inexistent_user`…).
 */
export class ApiError extends TesseraError {
  constructor(status: number, errorCode: string, message: string, options?: { cause?: unknown }) {
    super(status, errorCode, message, { ...options, expose: status < 500 });
  }
}

export const invalidBody = (message: string) => new ApiError(400, 'invalid_body', message);
export const invalidQuery = (message: string) => new ApiError(400, 'invalid_query_string', message);
export const invalidUri = (message: string) => new ApiError(400, 'invalid_uri', message);
/** 404 with Auth0's `inexistent_<resource>` code. */
export const inexistent = (resource: string, message: string) =>
  new ApiError(404, `inexistent_${resource}`, message);
export const conflict = (message: string, errorCode = 'conflict') => new ApiError(409, errorCode, message);

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Codes the shared error classes of core carry, in Auth0's Management API vocabulary. */
const CORE_CODES: Record<string, string> = {
  invalid_request: 'invalid_body',
  not_found: 'not_found',
  conflict: 'conflict',
  temporarily_unavailable: 'service_unavailable',
  server_error: 'internal_error',
};

export interface Auth0ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
}

/** The one table from anything thrown inside the Management API to its status and body. */
export function toAuth0Error(raw: unknown): { status: number; body: Auth0ErrorBody; internal: boolean } {
  const error = fromFastify(raw as FastifyError) ?? toTesseraError(raw);
  const status = error.status;
  const errorCode = error instanceof ApiError ? error.code : (CORE_CODES[error.code] ?? error.code);
  return {
    status,
    internal: status >= 500,
    body: {
      statusCode: status,
      error: REASONS[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request'),
      message: error.expose ? error.description : 'Internal Server Error',
      errorCode,
    },
  };
}

/** Fastify's own 4xx errors (body parsing, limits, media type) in Auth0's vocabulary. */
function fromFastify(error: FastifyError): TesseraError | undefined {
  if (error instanceof TesseraError) return error;
  const status = error?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', 'Request payload is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidBody('Payload validation error: the body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidBody('Invalid request payload JSON format.');
    default:
      if (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError) {
        return invalidBody('Invalid request payload JSON format.');
      }
      return new ApiError(status, status === 404 ? 'not_found' : 'invalid_request', error.message);
  }
}
