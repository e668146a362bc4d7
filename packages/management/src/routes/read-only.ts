import { isDeepStrictEqual } from 'node:util';
import { invalidBody } from '../errors.ts';

/**
 * Round trips: what a GET returns, a PATCH of the same object accepts (tools such as Auth0's
 * deploy CLI read an object, change a field and send it all back). The properties no write can
 * change come in two kinds, told apart so an accepted property never hides a refused change:
 *
 * - identity (`id`, `client_id`, `identifier`, `tenant`, `global`, `is_system`, a grant's
 *   `audience`…): accepted when they state the stored value, refused with 400 naming the property
 *   otherwise, since a different value asks for a change the API cannot make;
 * - state the server keeps (`created_at`, `updated_at`, an action's `status` or `deployed_version`):
 *   accepted and ignored whatever their value, as it may change between the read and the write (an
 *   edit, a deploy) and a body cannot set it. Still typed: not a way to smuggle arbitrary data in.
 *
 * Unknown properties stay refused (docs/security.md#40): these are all properties GET returns.
 */

/** An `id`-like property as GET returns it (API identifiers are URLs, hence the length). */
export const READ_ONLY_ID = { type: 'string', minLength: 1, maxLength: 600 } as const;

/** An ISO 8601 time as GET returns it. */
export const TIMESTAMP = { type: 'string', maxLength: 64, pattern: '^\\d{4}-\\d{2}-\\d{2}T' } as const;

/** `created_at` / `updated_at`, ignored on write. */
export const TIMESTAMPS = { created_at: TIMESTAMP, updated_at: TIMESTAMP } as const;

/** Refuses an identity property whose value differs from the stored one (`stored`: what GET shows). */
export function sameAsStored(sent: Record<string, unknown>, stored: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(sent)) {
    if (value !== undefined && !isDeepStrictEqual(value, stored[key])) {
      throw invalidBody(`Payload validation error: 'Read-only property cannot be changed: ${key}'.`);
    }
  }
}

/** The body without the named properties (what is left for the repository to write). */
export function withoutKeys<T extends object, K extends string>(body: T, keys: readonly K[]): Omit<T, K> {
  const rest = { ...body } as Record<string, unknown>;
  for (const key of keys) delete rest[key];
  return rest as Omit<T, K>;
}

/** The subset of `body` under `keys`, for sameAsStored. */
export function pick(body: object, keys: readonly string[]): Record<string, unknown> {
  const source = body as Record<string, unknown>;
  return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key]]));
}
