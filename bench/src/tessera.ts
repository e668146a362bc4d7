import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { boot, type Running } from '@tessera/server/src/boot.ts';
import type { Storage } from '@tessera/storage';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import type { Target, WebApp } from './spec.ts';

export type Backend = 'embedded' | 'postgres+redis';

export interface BenchTessera {
  backend: Backend;
  target: Target;
  app: WebApp;
  /** A machine client with a client grant on `audience` (client credentials). */
  machine: { clientId: string; clientSecret: string; audience: string; scope: string };
  users: { username: string; password: string }[];
  /** The server's storage and tenant, for scenarios that configure it (actions, roles). */
  storage: Storage;
  tenantId: string;
  /** `users[i]`'s user_id. */
  userIds: string[];
  stop(): Promise<void>;
}

const REDIRECT_URI = 'https://app.example.com/callback';
export const AUDIENCE = 'https://api.example.com/';
export const API_SCOPE = 'read:things';

/**
 * A real Tessera in this process, on its own database and data folder (a fresh Postgres database and
 * Redis key prefix for 'postgres+redis', removed by `stop`), with logs off, seeded through its storage
 * as the end-to-end tests do: a first-party web app (code + refresh, rotating refresh tokens), an API
 * with a machine client, and `userCount` users.
 */
export async function startTessera(backend: Backend, userCount: number): Promise<BenchTessera> {
  const port = await freePort();
  const environment = await withServices(backend, () =>
    createTestEnvironment({
      PORT: String(port),
      HOST: '127.0.0.1',
      TESSERA_DOMAIN: `localhost:${port}`,
      LOG_LEVEL: 'silent',
    }),
  );
  let running: Running | undefined;
  try {
    running = await boot({ env: environment.env, console: sink() });
    return await seed(backend, running, environment, port, userCount);
  } catch (error) {
    await running?.close();
    await environment.cleanup();
    throw error;
  }
}

async function seed(
  backend: Backend,
  running: Running,
  environment: TestEnvironment,
  port: number,
  userCount: number,
): Promise<BenchTessera> {
  const { storage } = running;
  const tenantId = running.firstRun.tenant.id;
  const web = await storage.clients.create(tenantId, {
    name: 'Bench Web App',
    appType: 'regular_web',
    callbacks: [REDIRECT_URI],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'client_secret_post',
    isFirstParty: true,
    refreshToken: { rotation_type: 'rotating', expiration_type: 'expiring' },
  });
  await storage.resourceServers.create(tenantId, {
    identifier: AUDIENCE,
    name: 'Bench API',
    scopes: [{ value: API_SCOPE, description: 'Read things' }],
  });
  const machine = await storage.clients.create(tenantId, {
    name: 'Bench Worker',
    appType: 'non_interactive',
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_post',
    grants: [{ audience: AUDIENCE, scopes: [API_SCOPE] }],
  });
  // Created one after the other: each costs an argon2id hash, like a sign-up.
  const users: { username: string; password: string }[] = [];
  const userIds: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const user = { username: `user${i}@bench.example.com`, password: randomBytes(12).toString('base64url') };
    const created = await storage.users.create(tenantId, {
      email: user.username,
      password: user.password,
      name: `User ${i}`,
    });
    users.push(user);
    userIds.push(created.user_id);
  }
  return {
    backend,
    target: { origin: running.url, host: `localhost:${port}` },
    app: { clientId: web.client.clientId, clientSecret: web.clientSecret, redirectUri: REDIRECT_URI },
    machine: {
      clientId: machine.client.clientId,
      clientSecret: machine.clientSecret,
      audience: AUDIENCE,
      scope: API_SCOPE,
    },
    users,
    storage,
    tenantId,
    userIds,
    async stop() {
      await running.close();
      await environment.cleanup();
    },
  };
}

/**
 * createTestEnvironment takes Postgres and Redis from DATABASE_URL / REDIS_URL: hidden while the
 * embedded backend's environment is made.
 */
async function withServices<T>(backend: Backend, make: () => Promise<T>): Promise<T> {
  if (backend === 'postgres+redis') return make();
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
  try {
    return await make();
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

/** The first-run banner (credentials of the management client) is of no use here. */
const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** A TCP port that was free a moment ago: the issuer must name the port before the server listens. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
