import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { type ActionsRuntime, createActionsRuntime } from '@tessera/actions';
import { type Config, loadConfig } from '@tessera/config';
import type { KvStore, PostLoginPort } from '@tessera/core';
import { createKv, loadMasterKey, openStorage, type Storage } from '@tessera/storage';
import { createPostLoginTrigger } from '@tessera/triggers';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import { createApp } from './app.ts';
import { createActionsAdmin } from './boot/actions-admin.ts';
import { announceFirstRun, ensureFirstRun, type FirstRunResult } from './boot/first-run.ts';
import { openConfiguredGeoIp } from './boot/geoip.ts';
import { routeConsoleToLog } from './console-log.ts';
import { loggerOptions } from './logger.ts';
import { createTenantResolver } from './tenancy.ts';

const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface BootOptions {
  env: Readonly<Record<string, string | undefined>>;
  inDocker?: boolean;
  /** Where log lines go (stdout by default). */
  logDestination?: DestinationStream;
  /** Where the first-run banner with the new credentials goes (stdout by default). */
  console?: NodeJS.WritableStream;
  /** Replaces the post-login trigger (tests of the OIDC flow in isolation); default: the real trigger. */
  postLogin?: PostLoginPort;
  /** Extra plugins registered after the application (embedding, tests). */
  plugins?: FastifyPluginAsync[];
  /**
   * Send what libraries print with `console`, and Node's process warnings, through the logger (the
   * process does, so every line it writes is JSON); an embedding or a test keeps its console.
   */
  routeConsole?: boolean;
}

export interface Running {
  app: FastifyInstance;
  config: Config;
  storage: Storage;
  kv: KvStore;
  firstRun: FirstRunResult;
  /** The listening address, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Graceful shutdown: stop accepting, drain in-flight requests (bounded), close Redis and the database. */
  close(): Promise<void>;
}

/**
 * The composition root: config → logger → storage (migrated) → KV → first run → Fastify → listen.
 * Throws ConfigError for bad configuration; main.ts turns that into exit code 1.
 */
export async function boot(options: BootOptions): Promise<Running> {
  const config = loadConfig({ env: options.env, inDocker: options.inDocker });
  const geoip = await openConfiguredGeoIp(config.geoip.database);
  const log = pino(loggerOptions(config.logging.level), options.logDestination);
  const restoreConsole = options.routeConsole ? routeConsoleToLog(log) : () => {};
  const dataDir = config.db.dataDir;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const masterKey = await loadMasterKey({
    configured: config.keys.masterKey,
    dataDir,
    sharedDatabase: Boolean(config.db.url),
    log,
  });
  const storage = await openStorage({
    url: config.db.url,
    dataDir,
    poolSize: config.db.poolSize,
    bootRetryMs: config.db.bootRetryMs,
    masterKey,
    log: log.child({ component: 'storage' }),
  });
  const kv = createKv({
    url: config.redis.url,
    prefix: config.redis.prefix,
    log: log.child({ component: 'kv' }),
  });
  // Expired grants and refresh tokens are refused on read already; this only reclaims their rows.
  const sweep = setInterval(() => {
    storage.oidcRecords.deleteExpired(new Date()).catch((error: unknown) => {
      log.warn({ err: error }, 'could not delete expired oidc records');
    });
  }, SWEEP_INTERVAL_MS).unref();
  // The sandbox workers start with the first login that has actions bound, not at boot.
  let runtime: ActionsRuntime | undefined;
  const actionsRuntime = () => {
    const { redirectTtlSeconds: _pause, ...options } = config.actions;
    runtime ??= createActionsRuntime({
      ...options,
      kv,
      log: log.child({ component: 'actions' }),
    });
    return runtime;
  };
  const { redirectTtlSeconds: _ttl, workers: _workers, ...sandboxOptions } = config.actions;
  const actionsAdmin = createActionsAdmin(actionsRuntime, {
    ...sandboxOptions,
    log: log.child({ component: 'actions-test' }),
  });
  const closeStores = async () => {
    clearInterval(sweep);
    await Promise.allSettled([runtime?.close(), actionsAdmin.close(), kv.close(), storage.close()]);
    restoreConsole();
  };

  try {
    const firstRun = await ensureFirstRun(storage, config, log);
    await announceFirstRun(firstRun, dataDir, options.console, log);
    const app = await createFastify(config, log);
    await app.register(
      createApp({
        config,
        storage,
        kv,
        tenants: createTenantResolver(storage.tenants),
        log,
        actionsAdmin,
        postLogin:
          options.postLogin ??
          createPostLoginTrigger({
            storage,
            kv,
            pauseTtlMs: config.actions.redirectTtlSeconds * 1000,
            runtime: actionsRuntime,
            log: log.child({ component: 'triggers' }),
            geoip,
          }),
      }),
    );
    for (const plugin of options.plugins ?? []) await app.register(plugin);
    await app.listen({ port: config.http.port, host: config.http.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = `${config.http.tlsCertFile ? 'https' : 'http'}://${hostForUrl(config.http.host)}:${port}`;
    log.info(
      { url, issuer: firstRun.issuer, database: storage.kind, kv: config.redis.url ? 'redis' : 'memory' },
      'tessera is listening',
    );

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= drain(app, config.http.shutdownTimeoutMs).then(closeStores);
      return closing;
    };
    return { app, config, storage, kv, firstRun, url, close };
  } catch (error) {
    await closeStores();
    throw error;
  }
}

async function createFastify(config: Config, log: pino.Logger): Promise<FastifyInstance> {
  // The loader refuses one file without the other (TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE).
  const { tlsCertFile, tlsKeyFile } = config.http;
  const https =
    tlsCertFile && tlsKeyFile ? { cert: await readFile(tlsCertFile), key: await readFile(tlsKeyFile) } : null;
  const trustProxy = config.http.trustProxy.length > 0 ? [...config.http.trustProxy] : false;
  return Fastify({
    loggerInstance: log,
    https,
    trustProxy,
    bodyLimit: config.http.bodyLimitBytes,
    // Accept a caller's request id only when it is short and plain, so it cannot forge log lines.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
}

/** Waits for in-flight requests; after `timeoutMs` the remaining connections are cut. */
async function drain(app: FastifyInstance, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([app.close().then(() => 'drained' as const), timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    app.log.warn(
      { timeoutMs },
      'shutdown: in-flight requests did not finish in time; closing their connections',
    );
    app.server.closeAllConnections();
  }
}

const hostForUrl = (host: string) =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
