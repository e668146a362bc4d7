export * from './database.ts';
export * from './faults.ts';
export * from './kv.ts';
export * from './server.ts';
