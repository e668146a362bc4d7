import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ActionsAdminPort, Logger, SessionAdmin } from '@tessera/core';
import type { LoginAttempts, Storage, Tenant } from '@tessera/storage';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Caller } from './auth.ts';

// A leaf: what every route file needs from the plugin (its dependencies and the instance type),
// without importing the plugin that imports the routes.

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
    /** The authenticated machine client (set before any Management API handler runs). */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** Management API: the scopes of which the caller needs any one. */
    scopes?: readonly string[];
    /** Management API: Auth0's description of the operation in the audit log ("Create a User"). */
    audit?: string;
  }
}

export interface ManagementDeps {
  storage: Storage;
  /** The issuer of a tenant (`https://<domain>/`): tokens must name it and its `api/v2/` audience. */
  issuerOf(tenant: Tenant): string;
  actions: ActionsAdminPort;
  /** Brute-force protection's counters and blocks, which the login pages write (`/user-blocks`). */
  loginAttempts: LoginAttempts;
  /** Drops what a tenant's OIDC provider was built from (after changes to clients, APIs, keys). */
  invalidateTenant(tenantId: string): void;
  /** The users' login sessions, which the OIDC side keeps (`/sessions`, `/users/{id}/sessions`). */
  sessions: SessionAdmin;
  log: Logger;
}

/**
 * How schemas become types: answers may be told apart by `if` / `then` / `else` (responses.ts
 * offsetList), which json-schema-to-ts reads only when asked.
 */
export type ManagementTypes = JsonSchemaToTsProvider<{
  SerializerSchemaOptions: { parseIfThenElseKeywords: true };
}>;

/**
 * The `/api/v2` scope as routes see it: request bodies, queries and params typed from their JSON
 * schemas (json-schema-to-ts), so one schema is both the runtime check and the TypeScript type.
 */
export type ManagementApi = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ManagementTypes
>;
