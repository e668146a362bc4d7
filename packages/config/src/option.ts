import { closeSync, fstatSync, openSync } from 'node:fs';
import { ConfigError } from '@tessera/core';

/**
 * One configuration option: where it comes from (an environment variable, or `area.key` in the JSON
 * file named by TESSERA_CONFIG), its default, what it means, and how a raw value becomes a typed one.
 * `parse` throws a plain message; the loader turns it into a ConfigError naming the variable.
 */
export interface Option<T> {
  readonly env: string;
  readonly doc: string;
  /** The default as shown in the README (computed defaults describe themselves here). */
  readonly shownDefault: string;
  readonly fallback: (ctx: DefaultContext) => T;
  readonly parse: (raw: unknown) => T;
}

/** What computed defaults may depend on: the environment of the process (CPU count, Docker). */
export interface DefaultContext {
  readonly cpus: number;
  readonly inDocker: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Spec<T> = { env: string; doc: string; default: T | ((ctx: DefaultContext) => T); shown?: string };

function option<T>(spec: Spec<T>, parse: (raw: unknown) => T): Option<T> {
  const fallback =
    typeof spec.default === 'function'
      ? (spec.default as (ctx: DefaultContext) => T)
      : () => spec.default as T;
  const shown = spec.shown ?? (spec.default === undefined ? '(unset)' : String(spec.default));
  return { env: spec.env, doc: spec.doc, shownDefault: shown, fallback, parse };
}

function text(raw: unknown): string {
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string') throw new Error('must be a string');
  return raw.trim();
}

export function integer(spec: Spec<number> & { min: number; max: number }): Option<number> {
  return option(spec, (raw) => {
    const value = text(raw);
    if (!/^-?\d+$/.test(value)) throw new Error(`must be an integer, got "${value}"`);
    const n = Number(value);
    if (n < spec.min || n > spec.max)
      throw new Error(`must be between ${spec.min} and ${spec.max}, got ${n}`);
    return n;
  });
}

export function oneOf<const T extends string>(spec: Spec<T> & { values: readonly T[] }): Option<T> {
  return option(spec, (raw) => {
    const value = text(raw);
    if (!(spec.values as readonly string[]).includes(value)) {
      throw new Error(`must be one of ${spec.values.join(', ')}, got "${value}"`);
    }
    return value as T;
  });
}

// An option with a default is typed as always present (`string`), one without as `string | undefined`:
// the overloads carry the default into the loaded Config's type, so no use site needs `!` or `??`.

type StringSpec = { pattern?: RegExp; hint?: string };

export function string(spec: Spec<string> & StringSpec): Option<string>;
export function string(spec: Spec<undefined> & StringSpec): Option<string | undefined>;
export function string(spec: Spec<string | undefined> & StringSpec): Option<string | undefined> {
  return option(spec, (raw) => {
    const value = text(raw);
    if (spec.pattern && !spec.pattern.test(value))
      throw new Error(`${spec.hint ?? 'has the wrong form'}, got "${value}"`);
    return value;
  });
}

type UrlSpec = { protocols: readonly string[] };

export function url(spec: Spec<string> & UrlSpec): Option<string>;
export function url(spec: Spec<undefined> & UrlSpec): Option<string | undefined>;
export function url(spec: Spec<string | undefined> & UrlSpec): Option<string | undefined> {
  return option(spec, (raw) => {
    const value = text(raw);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Error('must be a URL');
    }
    if (!spec.protocols.includes(parsed.protocol)) {
      throw new Error(`must be a ${spec.protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
    }
    return value;
  });
}

export function list(
  spec: Spec<readonly string[]> & { item?: (value: string) => string },
): Option<readonly string[]> {
  return option(spec, (raw) => {
    const items = Array.isArray(raw) ? raw.map(text) : text(raw).split(',');
    return items
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (spec.item ? spec.item(s) : s));
  });
}

const UNREADABLE: Record<string, string> = {
  ENOENT: 'file not found',
  ENOTDIR: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** A path to a file that must exist and be readable at boot; `check` may look inside it (throws a message). */
type FileSpec = { check?: (path: string) => void };

export function file(spec: Spec<string> & FileSpec): Option<string>;
export function file(spec: Spec<undefined> & FileSpec): Option<string | undefined>;
export function file(spec: Spec<string | undefined> & FileSpec): Option<string | undefined> {
  return option(spec, (raw) => {
    const path = text(raw);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      throw new Error(`cannot read ${path}: ${UNREADABLE[code] ?? (error as Error).message}`);
    }
    try {
      if (!fstatSync(fd).isFile()) throw new Error(`cannot read ${path}: not a file`);
    } finally {
      closeSync(fd);
    }
    spec.check?.(path);
    return path;
  });
}

/** Builds a ConfigError for an option (used by the loader and by cross-field checks). */
export function invalid(source: string, problem: string): ConfigError {
  return new ConfigError(source, problem);
}
