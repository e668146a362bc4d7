export { buildEventRequest, buildPostLoginEvent, DEFAULT_CONNECTION } from './build-event.ts';
export type {
  DateInput,
  ListInput,
  PostLoginEventInput,
  PostLoginUserInput,
  RefreshTokenInput,
  SessionInput,
} from './build-event-input.ts';
export { completePostLoginEvent, defaultPostLoginEvent } from './default-event.ts';
export { isSensitiveParam } from './sensitive-params.ts';
export type { PostLoginAPI, PostLoginEvent } from './types.ts';
