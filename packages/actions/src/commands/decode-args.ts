import { jsonDepth } from '@tessera/core';
import { isPlainObject, isReservedKey, utf8Bytes } from './checks.ts';

export interface DecodeLimits {
  maxArgsBytes: number;
  maxDepth: number;
}

export type DecodeResult = { ok: true; args: unknown[] } | { ok: false; message: string; limit: boolean };

/** The stub builds its mask with `1 << i`, so only 32 argument positions can be flagged. */
const MAX_ARGS = 32;
const MALFORMED: DecodeResult = { ok: false, message: 'arguments are malformed', limit: false };

/**
 * Turns the stub's `JSON.stringify(args)` back into values. Everything about the input is hostile:
 * the size is checked before anything else reads the string, the depth before JSON.parse builds
 * anything, and the reserved keys after, because JSON.parse keeps `__proto__` as an own property that
 * would become dangerous once merged into a host object (docs/security.md#7, #8).
 */
export function decodeArgs(argsJson: string, undefinedMask: number, limits: DecodeLimits): DecodeResult {
  if (typeof argsJson !== 'string') return MALFORMED;
  const bytes = utf8Bytes(argsJson);
  if (bytes > limits.maxArgsBytes) {
    return {
      ok: false,
      message: `arguments are ${bytes} bytes; the limit is ${limits.maxArgsBytes} bytes per call`,
      limit: true,
    };
  }
  // The outer array is one level; an argument may nest maxDepth levels inside it.
  if (jsonDepth(argsJson, limits.maxDepth + 1) > limits.maxDepth + 1) {
    return {
      ok: false,
      message: `arguments are nested more than ${limits.maxDepth} levels deep`,
      limit: true,
    };
  }
  let args: unknown;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return MALFORMED;
  }
  if (!Array.isArray(args) || args.length > MAX_ARGS || !applyMask(args, undefinedMask)) return MALFORMED;
  const path = findReservedKey(args, 'args');
  if (path !== undefined) {
    return {
      ok: false,
      message: `arguments contain the reserved key ${JSON.stringify(path.key)} at ${shorten(path.at)}; __proto__, constructor and prototype cannot be used as keys`,
      limit: false,
    };
  }
  return { ok: true, args };
}

/** A path made of tenant keys, cut short so a message never echoes a flood. */
function shorten(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** Restores `undefined` arguments (JSON.stringify wrote them as null). False when the mask lies. */
function applyMask(args: unknown[], mask: number): boolean {
  // `mask |= 1 << 31` makes the stub's mask negative, so accept any 32-bit integer and read it unsigned.
  if (!Number.isInteger(mask) || mask < -0x80000000 || mask > 0xffffffff) return false;
  const bits = mask >>> 0;
  if (args.length < 32 && bits >>> args.length !== 0) return false;
  for (let i = 0; i < args.length && i < 32; i++) {
    if (((bits >>> i) & 1) === 0) continue;
    if (args[i] !== null) return false;
    args[i] = undefined;
  }
  return true;
}

/** The first reserved key anywhere in `value`; depth is already bounded, so recursion is safe. */
function findReservedKey(value: unknown, at: string): { key: string; at: string } | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findReservedKey(value[i], `${at}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (isReservedKey(key)) return { key, at };
      const found = findReservedKey(value[key], `${at}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
