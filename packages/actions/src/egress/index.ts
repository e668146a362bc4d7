export {
  EgressError,
  type EgressErrorCode,
  type EgressRequest,
  type EgressResponse,
  egressFetch,
} from './fetch.ts';
export { classifyAddress, EGRESS_DEFAULTS, type EgressPolicy } from './policy.ts';
