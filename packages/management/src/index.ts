export type { ManagementDeps } from './deps.ts';
export { ApiError, conflict, inexistent, invalidBody, invalidQuery, invalidUri } from './errors.ts';
export { createManagement } from './plugin.ts';
