export { ACTION_LIMITS } from './actions.ts';
export * from './errors.ts';
export { escapeHtml } from './html.ts';
export {
  InvalidJsonError,
  isJsonObject,
  type JsonProblem,
  jsonDepth,
  MAX_JSON_DEPTH,
  parseJsonBody,
} from './json.ts';
export type { CounterLimit, CounterRelease, KvStore, Reservation } from './kv.ts';
export { type Logger, silentLogger } from './logger.ts';
export type {
  BasePageModel,
  ConsentPageModel,
  ConsentScope,
  ErrorPageModel,
  LoginError,
  LoginPageModel,
  LoginPages,
  LogoutPageModel,
  SignupError,
  SignupPageModel,
} from './login-pages.ts';
export {
  type ActionCodeProblem,
  type ActionsAdminPort,
  CURRENT_USER_SCOPES,
  FIRST_RUN_FILE,
  type FirstRunFile,
  MANAGEMENT_SCOPES,
  managementAudience,
} from './management.ts';
export {
  type ContinueRequest,
  continueUnchanged,
  type PostLoginOutcome,
  type PostLoginPort,
  type PostLoginTransaction,
} from './post-login.ts';
export { isLocalDomain, issuerFor } from './tenant.ts';
