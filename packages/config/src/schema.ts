import { isLocalDomain } from '@tessera/core';
import { assertMaxMindDb } from './mmdb.ts';
import { file, integer, list, oneOf, string, url } from './option.ts';

const isAddressOrCidr = (value: string) => {
  if (
    !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(value) &&
    !['loopback', 'linklocal', 'uniquelocal'].includes(value)
  ) {
    throw new Error(
      `"${value}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`,
    );
  }
  return value;
};

/**
 * Every configuration option of Tessera, by area. Each is read from its environment variable, or from
 * `{ "<area>": { "<key>": value } }` in the JSON file named by TESSERA_CONFIG (the environment wins).
 * The README's configuration table lists exactly these (a test keeps them in step).
 */
export const schema = {
  http: {
    port: integer({
      env: 'PORT',
      default: 3000,
      min: 0,
      max: 65535,
      doc: 'TCP port the server listens on (0: any free port).',
    }),
    host: string({
      env: 'HOST',
      default: (ctx) => (ctx.inDocker ? '0.0.0.0' : '127.0.0.1'),
      shown: '127.0.0.1 (0.0.0.0 in Docker)',
      doc: 'Address the server binds to.',
    }),
    tlsCertFile: string({
      env: 'TESSERA_TLS_CERT_FILE',
      default: undefined,
      doc: 'PEM certificate chain; with TESSERA_TLS_KEY_FILE the server speaks HTTPS.',
    }),
    tlsKeyFile: string({
      env: 'TESSERA_TLS_KEY_FILE',
      default: undefined,
      doc: 'PEM private key for TESSERA_TLS_CERT_FILE.',
    }),
    trustProxy: list({
      env: 'TESSERA_TRUST_PROXY',
      default: [],
      shown: '(none)',
      item: isAddressOrCidr,
      doc: 'Comma-separated proxy addresses/CIDRs (or loopback, linklocal, uniquelocal) whose X-Forwarded-For is believed (their X-Forwarded-Host only picks among the tenant domains). Empty: the socket address is the client.',
    }),
    bodyLimitBytes: integer({
      env: 'TESSERA_BODY_LIMIT_BYTES',
      default: 1_048_576,
      min: 1024,
      max: 64 * 1_048_576,
      doc: 'Largest accepted request body.',
    }),
    shutdownTimeoutMs: integer({
      env: 'TESSERA_SHUTDOWN_TIMEOUT_MS',
      default: 10_000,
      min: 0,
      max: 600_000,
      doc: 'On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits anyway.',
    }),
    publicScheme: oneOf({
      env: 'TESSERA_PUBLIC_SCHEME',
      values: ['http', 'https'] as const,
      default: (ctx) => {
        const domain = ctx.env.TESSERA_DOMAIN?.trim() || 'localhost';
        return ctx.env.TESSERA_TLS_CERT_FILE?.trim() || !isLocalDomain(domain) ? 'https' : 'http';
      },
      shown: 'http for a localhost domain without TLS, https otherwise',
      doc: 'Scheme of the public URLs and issuers. Behind a TLS-terminating proxy keep https.',
    }),
    frameAncestors: string({
      env: 'TESSERA_FRAME_ANCESTORS',
      default: "'none'",
      doc: "CSP frame-ancestors of every page (e.g. 'self' https://app.example.com).",
    }),
  },
  db: {
    url: url({
      env: 'DATABASE_URL',
      default: undefined,
      protocols: ['postgres:', 'postgresql:'],
      shown: '(unset: embedded PGlite)',
      doc: 'PostgreSQL connection URL. Unset: embedded PGlite persisted under TESSERA_DATA_DIR.',
    }),
    dataDir: string({
      env: 'TESSERA_DATA_DIR',
      default: './data',
      doc: 'Folder for the embedded database, the generated master key and first-run.json.',
    }),
    poolSize: integer({
      env: 'TESSERA_DB_POOL_SIZE',
      default: 10,
      min: 1,
      max: 500,
      doc: 'PostgreSQL connections per process.',
    }),
    bootRetryMs: integer({
      env: 'TESSERA_DB_BOOT_TIMEOUT_MS',
      default: 30_000,
      min: 0,
      max: 3_600_000,
      doc: 'How long boot keeps retrying (with backoff) an unreachable database before exiting.',
    }),
  },
  redis: {
    url: url({
      env: 'REDIS_URL',
      default: undefined,
      protocols: ['redis:', 'rediss:'],
      shown: '(unset: in-process store)',
      doc: 'Redis for short-lived state (sessions, codes, rate limits, api.cache). Unset: an in-process store (one process only).',
    }),
    prefix: string({
      env: 'TESSERA_REDIS_PREFIX',
      default: 'tessera:',
      pattern: /^[\w:.-]{1,64}$/,
      hint: 'must be 1-64 characters of letters, digits, _ : . -',
      doc: 'Prefix of every Redis key this deployment writes.',
    }),
  },
  keys: {
    masterKey: string({
      env: 'TESSERA_MASTER_KEY',
      default: undefined,
      pattern: /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/,
      hint: 'must be 32 bytes as 64 hex characters or base64',
      shown: '(generated into TESSERA_DATA_DIR/master.key)',
      doc: 'Key that encrypts secrets at rest (signing keys, action secrets) and keys client-secret HMACs. Required with DATABASE_URL (every process must have the same); with the embedded database generated on first run when unset.',
    }),
    signingAlg: oneOf({
      env: 'TESSERA_SIGNING_ALG',
      default: 'RS256',
      values: ['RS256', 'ES256', 'EdDSA'] as const,
      doc: 'Algorithm of the signing key created for a new tenant.',
    }),
  },
  tenancy: {
    domain: string({
      env: 'TESSERA_DOMAIN',
      default: (ctx) => `localhost:${ctx.env.PORT?.trim() || '3000'}`,
      shown: 'localhost:$PORT',
      pattern: /^[a-z0-9.-]+(:\d{1,5})?$/,
      hint: 'must be a lowercase host name with an optional :port',
      doc: 'Domain of the default tenant; its issuer is `<scheme>://<domain>/` with the scheme of TESSERA_PUBLIC_SCHEME.',
    }),
    defaultTenant: string({
      env: 'TESSERA_DEFAULT_TENANT',
      default: 'default',
      pattern: /^[a-z0-9][a-z0-9-]{0,62}$/,
      hint: 'must be lowercase letters, digits and -',
      doc: 'Name of the tenant created at first run and used for unknown Host headers.',
    }),
  },
  logging: {
    level: oneOf({
      env: 'LOG_LEVEL',
      default: 'info',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      doc: 'pino log level.',
    }),
  },
  actions: {
    workers: integer({
      env: 'TESSERA_ACTIONS_WORKERS',
      default: (ctx) => ctx.cpus,
      shown: 'CPU cores',
      min: 1,
      max: 64,
      doc: 'Sandbox worker processes (actions runtime).',
    }),
    memoryMb: integer({
      env: 'TESSERA_ACTIONS_MEMORY_MB',
      default: 64,
      min: 8,
      max: 1024,
      doc: 'Memory limit of one tenant isolate (actions runtime).',
    }),
    timeoutMs: integer({
      env: 'TESSERA_ACTIONS_TIMEOUT_MS',
      default: 20_000,
      min: 100,
      max: 120_000,
      doc: 'Wall-clock budget of one trigger run, promise waits included (actions runtime).',
    }),
    cpuMs: integer({
      env: 'TESSERA_ACTIONS_CPU_MS',
      default: 5_000,
      min: 10,
      max: 120_000,
      doc: 'CPU budget of one action execution; the isolate is reset when it is exceeded (actions runtime).',
    }),
    fetchAllowlist: list({
      env: 'TESSERA_ACTIONS_FETCH_ALLOW',
      default: [],
      shown: '(none)',
      doc: 'Hosts that action fetch() may reach even when they resolve to private or loopback addresses.',
    }),
    redirectTtlSeconds: integer({
      env: 'TESSERA_ACTIONS_REDIRECT_TTL_S',
      default: 900,
      min: 1,
      max: 86_400,
      doc: 'How long a login paused by api.redirect.sendUserTo waits for the browser to come back to /continue.',
    }),
  },
  geoip: {
    database: file({
      env: 'TESSERA_GEOIP_DB',
      default: undefined,
      check: assertMaxMindDb,
      doc: 'City database in MaxMind DB format (e.g. GeoLite2-City.mmdb) that fills event.request.geoip of post-login actions from the client IP. Unset: event.request.geoip is {}.',
    }),
  },
} as const;

export type Schema = typeof schema;
