/** What the main thread asks the load-generator worker to do, and what it answers. */

export type LoadKind = 'password-login' | 'sso-login' | 'client-credentials' | 'refresh';

export interface Target {
  /** Where to connect, e.g. http://127.0.0.1:40123 (the server listens on 127.0.0.1 only). */
  origin: string;
  /** The Host header, which selects the tenant and names the issuer, e.g. localhost:40123. */
  host: string;
}

export interface WebApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface LoadSpec {
  kind: LoadKind;
  target: Target;
  /** Virtual users, each a closed loop (one operation in flight each). */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Paths of the token endpoint and of the authorization endpoint. */
  tokenPath: string;
  authorizePath: string;
  /** Login scenarios and refresh chains: the app and one user per virtual user. */
  app?: WebApp;
  users?: { username: string; password: string }[];
  /** Client credentials: the form posted to the token endpoint (secret included). */
  tokenForm?: Record<string, string>;
}

export interface LoadResult {
  ops: number;
  errors: number;
  firstError?: string;
  /** Length of the measurement window. */
  elapsedMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** CPU of the whole process during the window (server, thread pool and this worker). */
  processCpuMs: number;
  /** CPU of the load-generator thread alone during the window. */
  loadgenCpuMs: number;
}
