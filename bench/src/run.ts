import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ACTIONS_NOTE, benchActions } from './actions-scenarios.ts';
import { argon2Baseline } from './argon2.ts';
import { startBareProvider } from './bare-provider.ts';
import { LOGIN_SCOPE } from './flows.ts';
import { runLoad } from './load.ts';
import { benchPostLogin, TYPICAL_ACTIONS } from './post-login.ts';
import { machine, type Row, round, row, table, writeResults } from './report.ts';
import type { LoadKind, LoadSpec } from './spec.ts';
import { API_SCOPE, AUDIENCE, type Backend, type BenchTessera, startTessera } from './tessera.ts';

/**
 * `pnpm bench` (docs/benchmarks.md): boots Tessera in this process on the embedded default, and on
 * Postgres + Redis when DATABASE_URL and REDIS_URL are set, drives each scenario from a load-generator
 * worker thread, measures each baseline right before the scenario compared with it, prints one table
 * and writes bench/results/latest.json. BENCH_SECONDS sets the measured seconds of each scenario
 * (default 6, after a 2 s warmup); BENCH_ONLY=password,sso,post-login,client-credentials,refresh narrows
 * the run.
 * The actions scenarios (BENCH_ONLY names sandbox, cold-start) need no server and run after them.
 */
const MEASURE_MS = seconds(process.env.BENCH_SECONDS ?? '6') * 1000;
const WARMUP_MS = 2000;
const CONCURRENCY = { login: 8, sso: 8, postLogin: 8, clientCredentials: 16, refresh: 16 };
/** Keycloak 26 sizing guide: 15 password logins/s per vCPU, so 30/s on 2 vCPU. */
const KEYCLOAK_LOGINS_PER_SECOND = 30;
const RESULTS = fileURLToPath(new URL('../results/latest.json', import.meta.url));
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const wanted = (name: string) => !ONLY || ONLY.includes(name);
/** The scenarios that need a booted Tessera: without one wanted, none is booted. */
const SERVER_SCENARIOS = ['password', 'sso', 'post-login', 'client-credentials', 'refresh'];

const LABELS: Record<Backend, string> = {
  embedded: 'PGlite + memory KV',
  'postgres+redis': 'Postgres + Redis',
};

const NOTES = [
  'CPU ms/op: CPU time of the benchmark process over the measured window, minus the load generator ' +
    "thread's, divided by the operations: Tessera's event loop, its libuv pool (argon2id) and, on the " +
    'embedded backend, PGlite, since the server runs in this process. Postgres and Redis run in their ' +
    'own processes and are not counted. The load generator is a worker thread of the same process ' +
    '(its own CPU is loadgenCpuMsPerOp in latest.json); it shares the 2 cores with the server.',
  `Login flows: a first-party regular web app, scope "${LOGIN_SCOPE}", PKCE S256, client_secret_post. ` +
    'Password login: a new cookie jar per flow (authorize → login page → POST credentials → resume → ' +
    'code → token). SSO: the same jar logged in once, each flow is authorize → code → token.',
  'Post-login actions: the SSO login on one server, its tenant switched before each block between three ' +
    'bound actions (roles and profile claims; a policy read from client metadata and the request; a ' +
    'customer id written to app_metadata only when missing, and a rollout table kept in api.cache) and ' +
    'no binding at all (the trigger then never calls the sandbox). One warmup block per variant (the ' +
    'first starts the sandbox workers), then measured blocks alternating A B B A; ratio = flows/s with ' +
    'actions ÷ without, +p50/+p99 = the difference of the two rows. CPU ms/op of both rows includes ' +
    "the sandbox worker processes' CPU (/proc, 10 ms ticks).",
  'Refresh: rotating refresh tokens, one chain per virtual user, each request using the token the ' +
    'previous returned; every exchange runs the post-login trigger. First with no action bound (the ' +
    'trigger finds no binding), then with one action bound (roles, plan and verification claims: the ' +
    'first of the post-login scenario), which every exchange runs in the sandbox.',
  'Client credentials: `audience` for Tessera, `resource` for bare oidc-provider (memory adapter, one ' +
    'static client, RS256), both issuing an RS256 JWT access token for the same audience and scope.',
];

const cleanups = new Set<() => Promise<void>>();
process.once('SIGINT', () => {
  console.error('[bench] interrupted: stopping servers and removing their data');
  void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
});

const progress = (message: string) => console.error(`[bench] ${message}`);

async function main() {
  const host = machine(loadavg()[0]!);
  const backends: Backend[] = ['embedded'];
  if (process.env.DATABASE_URL && process.env.REDIS_URL) backends.push('postgres+redis');
  else if (process.env.DATABASE_URL || process.env.REDIS_URL)
    progress('Postgres + Redis needs both DATABASE_URL and REDIS_URL: running the embedded backend only');

  const rows: Row[] = [];
  if (SERVER_SCENARIOS.some(wanted))
    for (const backend of backends) rows.push(...(await benchBackend(backend)));
  const actionRows = await benchActions({ wanted, timing, progress });
  rows.push(...actionRows);
  const notes = actionRows.length > 0 ? [...NOTES, ACTIONS_NOTE] : NOTES;

  const date = new Date().toISOString();
  await writeResults(RESULTS, {
    machine: host,
    date,
    backend: backends.map((backend) => LABELS[backend]).join('; '),
    settings: { warmupMs: WARMUP_MS, measureMs: MEASURE_MS },
    scenarios: rows,
    notes,
  });
  console.log(table(rows));
  console.log(
    `\nMachine: ${host.cpus} × ${host.model}, Node ${host.node}, ${host.os}; ${date}; ` +
      `load average ${host.loadAverage1m} at start; ${WARMUP_MS / 1000} s warmup + ` +
      `${MEASURE_MS / 1000} s measured per scenario.`,
  );
  for (const [i, note] of notes.entries()) console.log(`${i + 1}. ${note}`);
  for (const r of rows.filter((r) => r.errors > 0))
    console.log(`Errors in "${r.name}" (${r.backend}): ${r.errors}, first: ${r.firstError}`);
  console.log(`Written to ${RESULTS}`);
  if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
}

async function benchBackend(backend: Backend): Promise<Row[]> {
  const label = LABELS[backend];
  progress(`${label}: booting Tessera`);
  const users = Math.max(...Object.values(CONCURRENCY));
  const tessera = await startTessera(backend, users);
  cleanups.add(tessera.stop);
  const rows: Row[] = [];
  const add = (r: Row) => {
    rows.push(r);
    progress(`${label}: ${r.name}: ${r.opsPerSec.toFixed(1)}/s, p99 ${r.p99Ms.toFixed(1)} ms`);
    return r;
  };
  try {
    if (wanted('password')) {
      const hashes = add(
        row('argon2id hashPassword (baseline)', label, availableParallelism(), await argon2(), {
          target: 'baseline: login ceiling',
          met: null,
        }),
      );
      const result = await load(tessera, 'password-login', CONCURRENCY.login);
      const flows = result.ops / (result.elapsedMs / 1000);
      const ratio = flows / hashes.opsPerSec;
      const vsKeycloak = flows / KEYCLOAK_LOGINS_PER_SECOND;
      add(
        row('password login', label, CONCURRENCY.login, result, {
          baseline: hashes.opsPerSec,
          baselineName: 'argon2id',
          ratio: round(ratio),
          vsKeycloak: round(vsKeycloak),
          target: '≥ 0.7 × argon2id; ≥ 2.5 × Keycloak',
          met: result.errors === 0 && ratio >= 0.7 && vsKeycloak >= 2.5,
        }),
      );
    }
    if (wanted('sso')) {
      const result = await load(tessera, 'sso-login', CONCURRENCY.sso);
      const flows = result.ops / (result.elapsedMs / 1000);
      add(
        row('SSO login', label, CONCURRENCY.sso, result, {
          target: '≥ 500/s; p99 ≤ 50 ms',
          met: result.errors === 0 && flows >= 500 && result.p99Ms <= 50,
        }),
      );
    }
    if (wanted('post-login')) {
      const rowsOf = await benchPostLogin(tessera, {
        label,
        concurrency: CONCURRENCY.postLogin,
        spec: loadSpec(tessera, 'sso-login', CONCURRENCY.postLogin),
      });
      for (const r of rowsOf) add(r);
    }
    if (wanted('client-credentials')) {
      const bare = await startBareProvider(AUDIENCE, API_SCOPE);
      cleanups.add(bare.stop);
      let baseline: Row;
      try {
        baseline = add(
          row(
            'client credentials, bare oidc-provider (baseline)',
            'memory adapter',
            CONCURRENCY.clientCredentials,
            await runLoad({
              ...timing(),
              kind: 'client-credentials',
              target: bare.target,
              concurrency: CONCURRENCY.clientCredentials,
              tokenPath: '/token',
              authorizePath: '/auth',
              tokenForm: bare.tokenForm,
            }),
            { target: 'baseline', met: null },
          ),
        );
      } finally {
        await bare.stop();
        cleanups.delete(bare.stop);
      }
      const result = await load(tessera, 'client-credentials', CONCURRENCY.clientCredentials);
      const grants = result.ops / (result.elapsedMs / 1000);
      const ratio = grants / baseline.opsPerSec;
      add(
        row('client credentials', label, CONCURRENCY.clientCredentials, result, {
          baseline: baseline.opsPerSec,
          baselineName: 'bare oidc-provider',
          ratio: round(ratio),
          target: '≥ 2000/s; ≥ 0.7 × bare',
          met: result.errors === 0 && grants >= 2000 && ratio >= 0.7,
        }),
      );
    }
    if (wanted('refresh')) {
      const plain = await load(tessera, 'refresh', CONCURRENCY.refresh);
      const none = add(
        row('refresh (rotating), no action', label, CONCURRENCY.refresh, plain, {
          target: 'baseline for the row with an action',
          met: null,
        }),
      );
      // docs/benchmarks.md#refresh: the same chains with one typical action bound, which the exchange runs.
      const action = await bindRefreshAction(tessera);
      try {
        const result = await load(tessera, 'refresh', CONCURRENCY.refresh);
        const perSecond = result.ops / (result.elapsedMs / 1000);
        add(
          row('refresh (rotating) + 1 post-login action', label, CONCURRENCY.refresh, result, {
            baseline: none.opsPerSec,
            baselineName: 'refresh, no action',
            ratio: round(perSecond / none.opsPerSec),
            target: '≥ 800/s',
            met: result.errors === 0 && perSecond >= 800,
            notes: [`action "${action}" bound; CPU ms/op leaves out the sandbox worker processes`],
          }),
        );
      } finally {
        await tessera.storage.actions.bind(tessera.tenantId, 'post-login', []);
      }
    }
    return rows;
  } finally {
    progress(`${label}: stopping Tessera`);
    await tessera.stop();
    cleanups.delete(tessera.stop);
  }
}

/** Creates, deploys and binds the first typical post-login action alone; answers its name. */
async function bindRefreshAction(tessera: BenchTessera): Promise<string> {
  const { storage, tenantId } = tessera;
  const [typical] = TYPICAL_ACTIONS;
  if (!typical) throw new Error('no typical action to bind');
  const action = await storage.actions.create(tenantId, {
    name: `${typical.name} (refresh)`,
    code: typical.code,
    supportedTriggers: [{ id: 'post-login', version: 'v3' }],
  });
  await storage.actions.deploy(tenantId, action.id);
  await storage.actions.bind(tenantId, 'post-login', [action.id]);
  return typical.name;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 1 || parsed > 60)
    throw new Error(`BENCH_SECONDS: must be a number of seconds from 1 to 60, got "${value}"`);
  return parsed;
}

const timing = () => ({ warmupMs: WARMUP_MS, durationMs: MEASURE_MS });

function argon2() {
  return argon2Baseline(timing());
}

function load(tessera: BenchTessera, kind: LoadKind, concurrency: number) {
  return runLoad(loadSpec(tessera, kind, concurrency));
}

function loadSpec(tessera: BenchTessera, kind: LoadKind, concurrency: number): LoadSpec {
  return {
    ...timing(),
    kind,
    target: tessera.target,
    concurrency,
    tokenPath: '/oauth/token',
    authorizePath: '/authorize',
    app: tessera.app,
    users: tessera.users,
    tokenForm: {
      grant_type: 'client_credentials',
      client_id: tessera.machine.clientId,
      client_secret: tessera.machine.clientSecret,
      audience: tessera.machine.audience,
      scope: tessera.machine.scope,
    },
  };
}

await main();
