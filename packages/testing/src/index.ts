export * from './database.ts';
export * from './kv.ts';
export * from './server.ts';
