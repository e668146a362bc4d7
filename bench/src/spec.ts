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
  /** Variants measured in alternating blocks of one load (SSO login only; see `runBlocks`). */
  blocks?: BlockPlan;
}

/**
 * Variants of one scenario compared in the same run: the same virtual users (set up once) run one
 * unmeasured warmup block per variant (see `warmupFlows`), then `rounds` rounds of one measured block per variant, the
 * order reversed every other round (A B B A …) so a drift of the machine weighs on both alike. Before
 * every block the worker waits for the main thread to switch the server to that block's variant.
 */
export interface BlockPlan {
  variants: string[];
  rounds: number;
  /**
   * Measured length of one block. Each block first runs unmeasured for two median flows of the
   * variant's previous block, at least `settleMs` (at most 2 s): all loops start together, and by
   * then they are spread out, so the flows completed in the window count the steady throughput.
   */
  blockMs: number;
  settleMs: number;
  /** A warmup block lasts the spec's `warmupMs` from its first completed flow, and at least these flows. */
  warmupFlows: number;
  /** An ID-token claim every flow must carry in the variants named here and lack in the others. */
  claim?: { name: string; presentIn: string[] };
}

/** The worker's requests to the main thread in a block plan, and the answers. */
export type BlockMessage =
  | { prepare: { variant: string; measured: boolean } }
  | { result: Record<string, LoadResult> }
  | { error: string };

export interface LoadResult {
  ops: number;
  errors: number;
  firstError?: string;
  /** Length of the measurement window. */
  elapsedMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * CPU of the whole process during the window (server, thread pool and this worker); in a block plan
   * also of this process's child processes (the sandbox workers).
   */
  processCpuMs: number;
  /** CPU of the load-generator thread alone during the window. */
  loadgenCpuMs: number;
  /** Block plans only: CPU of the child processes (sandbox workers) alone, part of processCpuMs. */
  childrenCpuMs?: number;
  /** Block plans only: flows completed in the measured blocks, their unmeasured settle and drain included. */
  blockFlows?: number;
  /** Block plans only: flows/s of each measured block, in the order they ran. */
  blockRates?: number[];
}
