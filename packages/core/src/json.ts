import { InvalidRequestError } from './errors.ts';

/**
 * The deepest nesting of objects and arrays Tessera accepts in a JSON request body, at every entry
 * point (docs/security.md#50). Deep documents are refused before anything builds or walks them:
 * JSON.parse copes with any depth, but what comes after does not (V8's JSON.stringify, Prisma's
 * serialisation and Postgres' jsonb parser all recurse, and fail as 500s a few thousand levels down).
 *
 * 64: the deepest legitimate body (an Auth0 form definition, a test event) nests about ten levels;
 * 64 levels is also how deep the Management API's check for unstorable text looks, so everything it
 * accepts it has fully checked, and metadata an action writes (32 levels per value) fits with room.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonProblem = 'syntax' | 'depth' | 'prototype';

/** A JSON body Tessera refuses; `problem` lets each entry point word it in its own wire format. */
export class InvalidJsonError extends InvalidRequestError {
  readonly problem: JsonProblem;
  constructor(problem: JsonProblem, description: string) {
    super(description);
    this.problem = problem;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The deepest nesting of objects and arrays in `text`, counted outside string literals: one linear
 * pass that allocates nothing and never recurses. It stops as soon as the depth passes `stopAbove`
 * (the answer is then `stopAbove + 1`). On text that is not JSON the count means little, but it is
 * still bounded; JSON.parse has the last word on syntax.
 */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH)
        i++; // whatever is escaped, it neither ends the string nor opens anything
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return deepest;
}

/**
 * Parses a JSON request body, refusing (InvalidJsonError, a 400 `invalid_request`):
 * - nesting deeper than `maxDepth`, measured before JSON.parse builds anything;
 * - malformed JSON;
 * - a `__proto__` key, or a `constructor` object with a `prototype` key, anywhere: JSON.parse keeps
 *   them as harmless own properties, but a later merge or `Object.assign` would let them change what
 *   objects inherit (the protection Fastify's default parser and secure-json-parse give).
 * A leading byte order mark is ignored, as Fastify's default parser does.
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (jsonDepth(source, maxDepth) > maxDepth) {
    throw new InvalidJsonError(
      'depth',
      `The request body nests objects and arrays more than ${maxDepth} levels deep; the limit is ${maxDepth}.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    throw new InvalidJsonError('syntax', 'The request body is not valid JSON.');
  }
  if (mayHidePrototypeKey(source) && hasPrototypeKey(value)) {
    throw new InvalidJsonError(
      'prototype',
      'The request body has a __proto__ or constructor.prototype key, which is not allowed.',
    );
  }
  return value;
}

/**
 * A key can spell `__proto__` or `constructor` only literally or with `\u` escapes, so a text with
 * neither cannot hold one and the walk is skipped (almost every body).
 */
function mayHidePrototypeKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

/** Breadth-first over the parsed value (depth is already bounded, and nothing recurses anyway). */
function hasPrototypeKey(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Object.hasOwn(node, '__proto__')) return true;
    if (Object.hasOwn(node, 'constructor')) {
      const ctor = (node as { constructor: unknown }).constructor;
      if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return true;
    }
    for (const value of Object.values(node)) {
      if (value !== null && typeof value === 'object') pending.push(value);
    }
  }
  return false;
}

/** A JSON object (not null, not an array): what a settings value or a body member must be to merge. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
