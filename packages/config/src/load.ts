import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError } from '@tessera/core';
import type { DefaultContext, Option } from './option.ts';
import { type Schema, schema } from './schema.ts';

type Values<T> = { readonly [K in keyof T]: T[K] extends Option<infer V> ? V : never };
export type Config = { readonly [A in keyof Schema]: Values<Schema[A]> };

/** Per loaded configuration, the options that took their default (`<area>.<key>`). */
const DEFAULTED = new WeakMap<object, ReadonlySet<string>>();

/**
 * Whether an option took its default: neither the environment nor the TESSERA_CONFIG file gave it.
 * Boot uses it where a default must not overrule stored state (a replica started without
 * TESSERA_DOMAIN must not move a tenant served on a real domain to localhost).
 */
export function tookDefault<A extends keyof Config>(config: Config, area: A, key: keyof Config[A]): boolean {
  return DEFAULTED.get(config)?.has(`${String(area)}.${String(key)}`) ?? false;
}

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Reads the TESSERA_CONFIG file; injectable for tests. */
  readFile?: (path: string) => string;
  cpus?: number;
  inDocker?: boolean;
}

/**
 * Builds the one frozen, validated configuration object. Environment variables win over the JSON file
 * named by TESSERA_CONFIG. The first problem found throws a ConfigError naming the variable (or the
 * file key) and what is wrong; main.ts prints it on one line and exits 1.
 */
export function loadConfig(options: LoadOptions): Config {
  const { env } = options;
  const file = readConfigFile(env.TESSERA_CONFIG, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const ctx: DefaultContext = {
    cpus: options.cpus ?? availableParallelism(),
    inDocker: options.inDocker ?? false,
    env,
  };
  const config: Record<string, Record<string, unknown>> = {};
  const defaulted = new Set<string>();

  for (const [area, options] of Object.entries(schema) as [string, Record<string, Option<unknown>>][]) {
    const fromFile = file[area] ?? {};
    for (const key of Object.keys(fromFile)) {
      if (!(key in options)) throw new ConfigError(`TESSERA_CONFIG ${area}.${key}`, 'unknown option');
    }
    const values: Record<string, unknown> = {};
    for (const [key, option] of Object.entries(options)) {
      const fromEnv = env[option.env];
      const [raw, source] =
        fromEnv !== undefined && fromEnv.trim() !== ''
          ? [fromEnv, option.env]
          : [fromFile[key], `TESSERA_CONFIG ${area}.${key}`];
      const missing = raw === undefined || raw === null || raw === '';
      if (missing) defaulted.add(`${area}.${key}`);
      try {
        values[key] = missing ? option.fallback(ctx) : option.parse(raw);
      } catch (error) {
        throw new ConfigError(source, (error as Error).message);
      }
    }
    config[area] = Object.freeze(values);
  }
  for (const area of Object.keys(file)) {
    if (!(area in schema)) throw new ConfigError(`TESSERA_CONFIG ${area}`, 'unknown area');
  }
  const result = Object.freeze(config) as unknown as Config;
  DEFAULTED.set(result, defaulted);
  checkConsistency(result);
  return result;
}

function readConfigFile(
  path: string | undefined,
  read: (path: string) => string,
): Record<string, Record<string, unknown>> {
  if (!path?.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(path));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError('TESSERA_CONFIG', `cannot read ${path}: ${reason}`);
  }
  if (!isObject(parsed)) throw new ConfigError('TESSERA_CONFIG', 'must contain a JSON object of areas');
  for (const [area, value] of Object.entries(parsed)) {
    if (!isObject(value)) throw new ConfigError(`TESSERA_CONFIG ${area}`, 'must be an object of options');
  }
  return parsed as Record<string, Record<string, unknown>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rules that involve more than one option. */
function checkConsistency(config: Config): void {
  const { tlsCertFile, tlsKeyFile } = config.http;
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    const missing = tlsCertFile ? 'TESSERA_TLS_KEY_FILE' : 'TESSERA_TLS_CERT_FILE';
    throw new ConfigError(missing, 'TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE must be set together');
  }
}
