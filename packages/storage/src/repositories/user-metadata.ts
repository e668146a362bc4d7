import { InvalidRequestError, isJsonObject, MAX_JSON_DEPTH } from '@tessera/core';

// Auth0's rules for user_metadata and app_metadata ("Metadata field names and data types"), enforced
// wherever metadata is written: the Management API (create, and update after the merge) and the
// post-login trigger's commit of what actions set (docs/security.md#50).

export type MetadataField = 'user_metadata' | 'app_metadata';

export const METADATA_LIMITS = {
  /**
   * UTF-8 bytes of one metadata object as compact JSON. Auth0 documents 16 MB and advises 16 kB as
   * the practical ceiling; Tessera's bound sits between because both objects travel in every
   * post-login event, whose limit is 512 KiB, and a user whose metadata outgrew it could not log in.
   */
  bytes: 128 * 1024,
  /**
   * Nesting of objects and arrays, the metadata object included: one level less than a request body
   * may nest (MAX_JSON_DEPTH), so what a client reads it can always send back inside `{ "user_metadata": … }`.
   */
  depth: MAX_JSON_DEPTH - 1,
} as const;

/** Auth0: "The app_metadata field must not contain any of these properties". */
const RESERVED_APP_METADATA: ReadonlySet<string> = new Set([
  '__tenant',
  '_id',
  'blocked',
  'clientID',
  'created_at',
  'email_verified',
  'email',
  'globalClientID',
  'global_client_id',
  'identities',
  'lastIP',
  'lastLogin',
  'loginsCount',
  'metadata',
  'multifactor_last_modified',
  'multifactor',
  'updated_at',
  'user_id',
]);

/** Metadata that breaks one of the rules; the description names the field, the rule and the limit. */
export class InvalidMetadataError extends InvalidRequestError {}

/** A whole metadata object (a new user's): its content and its size. `undefined` is `{}`. */
export function checkMetadata(value: unknown, field: MetadataField): Record<string, unknown> {
  if (value === undefined) return {};
  checkMetadataContent(value, field);
  checkMetadataSize(value, field);
  return value;
}

/**
 * What a merge writes (top-level keys; null removes one): an object whose field names hold no `.` or
 * `$` at any depth (Auth0: "Field names must not contain the . (dot) or $ (dollar sign) characters"),
 * no reserved app_metadata property, no string Postgres cannot store, and bounded nesting. Walked
 * without recursion, so even an object built by a caller that skipped the body parser is safe to check.
 */
export function checkMetadataContent(
  value: unknown,
  field: MetadataField,
): asserts value is Record<string, unknown> {
  if (!isJsonObject(value)) throw new InvalidMetadataError(`${field}: must be an object`);
  if (field === 'app_metadata') {
    const reserved = Object.keys(value).find((key) => RESERVED_APP_METADATA.has(key));
    if (reserved !== undefined) {
      throw new InvalidMetadataError(
        `app_metadata: ${quote(reserved)} is a reserved property and cannot be stored in app_metadata`,
      );
    }
  }
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (typeof node === 'string') {
      if (!storable(node))
        throw new InvalidMetadataError(`${field}: a string contains a NUL or an invalid character`);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > METADATA_LIMITS.depth) {
      throw new InvalidMetadataError(
        `${field}: nests objects and arrays more than ${METADATA_LIMITS.depth} levels deep; the limit is ${METADATA_LIMITS.depth}`,
      );
    }
    for (const [key, item] of Object.entries(node)) {
      if (!Array.isArray(node)) checkFieldName(key, field);
      pending.push({ node: item, depth: depth + 1 });
    }
  }
}

/** The size of a whole metadata object: for a merge, the merged result (what would be stored). */
export function checkMetadataSize(value: Record<string, unknown>, field: MetadataField): void {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > METADATA_LIMITS.bytes) {
    throw new InvalidMetadataError(
      `${field}: ${bytes} bytes of JSON; the limit is ${METADATA_LIMITS.bytes} bytes`,
    );
  }
}

function checkFieldName(key: string, field: MetadataField): void {
  if (key.includes('.') || key.includes('$')) {
    throw new InvalidMetadataError(
      `${field}: field names cannot contain "." or "$" (got ${quote(key)}); nest the value instead`,
    );
  }
  if (!storable(key))
    throw new InvalidMetadataError(`${field}: a field name contains a NUL or an invalid character`);
}

/** jsonb refuses NUL and text that is not well-formed UTF-16 (a lone surrogate). */
const storable = (text: string) => !text.includes('\u0000') && text.isWellFormed();

/** A field name quoted for a message, cut short so a message never echoes a flood. */
const quote = (key: string) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
