import { isPlainObject, isReservedKey } from './checks.ts';
import type { Command } from './types.ts';

/**
 * Applies the commands that change what later actions see in `event`, at once
 * (docs/actions.md#later-actions): user and app metadata, transaction metadata and session metadata.
 * `null` deletes a key. Everything else (claims, scopes, redirects…) is the login layer's business.
 *
 * The recorder never accepts a reserved key, but this runs on host objects, so it defends itself
 * anyway: reserved keys are skipped, values are written as own data properties with defineProperty
 * (never `target[key] = value`, which for `__proto__` would replace the prototype), and values are
 * copied so the event and the command list never share an object.
 */
// biome-ignore lint/suspicious/noExplicitAny: the event is the trigger's plain JSON object, of any shape.
export function applyToEvent(event: any, commands: readonly Command[]): void {
  for (const command of commands) {
    switch (command.type) {
      case 'user.setAppMetadata':
        setKey(holder(event, 'user'), 'app_metadata', command.key, command.value);
        break;
      case 'user.setUserMetadata':
        setKey(holder(event, 'user'), 'user_metadata', command.key, command.value);
        break;
      case 'transaction.setMetadata':
        setKey(holder(event, 'transaction'), 'metadata', command.key, command.value);
        break;
      case 'session.setMetadata':
        setKey(holder(event, 'session'), 'metadata', command.key, command.value);
        break;
      case 'session.deleteMetadata':
        setKey(holder(event, 'session'), 'metadata', command.key, null);
        break;
      case 'session.evictMetadata': {
        const session = holder(event, 'session');
        if (session !== undefined) define(session, 'metadata', {});
        break;
      }
    }
  }
}

/** `event[field]` when it is an object; session metadata only applies "if event.session exists". */
function holder(event: unknown, field: string): Record<string, unknown> | undefined {
  if (!isPlainObject(event) || !Object.hasOwn(event, field)) return undefined;
  const value = event[field];
  return isPlainObject(value) ? value : undefined;
}

function setKey(
  owner: Record<string, unknown> | undefined,
  field: string,
  key: string,
  value: unknown,
): void {
  if (owner === undefined || isReservedKey(key)) return;
  let target = Object.hasOwn(owner, field) ? owner[field] : undefined;
  if (!isPlainObject(target)) {
    target = {};
    define(owner, field, target);
  }
  const metadata = target as Record<string, unknown>;
  if (value === null || value === undefined) {
    if (Object.hasOwn(metadata, key)) delete metadata[key];
  } else {
    define(metadata, key, structuredClone(value));
  }
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
