import { ApiError } from '../errors.ts';

/**
 * What Auth0 answers a tenant whose plan lacks a feature (403 `feature_not_enabled`, which Auth0's
 * deploy CLI reads as "skip this resource"), for what Tessera does not have: the message says what is
 * missing and where docs/management-api.md describes the difference.
 */
export const featureNotEnabled = (message: string) =>
  new ApiError(
    403,
    'feature_not_enabled',
    `${message} (see docs/management-api.md#where-the-management-api-differs-from-auth0).`,
  );

/**
 * The body schema of a route that refuses every request: any JSON is accepted by the validator, so
 * the refusal (not the no-body check) answers, and the audit log records what was asked.
 */
export const ANY_BODY = {} as const;

/** Auth0's scope names of a resource: `read:<name>`, `create:<name>`, `update:<name>`, `delete:<name>`. */
export const scopesOf = (name: string) => ({
  read: [`read:${name}`],
  create: [`create:${name}`],
  update: [`update:${name}`],
  delete: [`delete:${name}`],
});
