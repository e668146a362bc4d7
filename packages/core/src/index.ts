export * from './errors.ts';
export type { KvStore } from './kv.ts';
export { type Logger, silentLogger } from './logger.ts';
