export { ApiError, conflict, inexistent, invalidBody, invalidQuery, invalidUri } from './errors.ts';
export { createManagement, type ManagementDeps } from './plugin.ts';
