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
  type PostLoginLoaders,
  type PostLoginOutcome,
  type PostLoginPort,
  type PostLoginTransaction,
  type RefreshTokenChanges,
  type Revocation,
  type SessionChanges,
  type TransactionDevice,
  type TransactionRefreshToken,
  type TransactionSession,
} from './post-login.ts';
export type { SessionAdmin, SessionInfo } from './sessions.ts';
export { isLocalDomain, issuerFor } from './tenant.ts';
