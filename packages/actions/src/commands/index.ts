export { applyToEvent } from './apply-to-event.ts';
export { type DecodeLimits, type DecodeResult, decodeArgs } from './decode-args.ts';
export { DEFAULT_LIMITS, type RecorderLimits } from './limits.ts';
export {
  CommandRecorder,
  type RecorderContext,
  type RecorderInitialState,
  type RecordResult,
} from './recorder.ts';
export { RESTRICTED_CLAIMS } from './restricted-claims.ts';
export {
  type EncodeContext,
  encodeSessionToken,
  MAX_SESSION_TOKEN_BYTES,
  type ValidateContext,
  validateSessionToken,
} from './session-token.ts';
export * from './types.ts';
