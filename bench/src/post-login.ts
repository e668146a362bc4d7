import { runBlocks } from './load.ts';
import { type Row, round, row } from './report.ts';
import type { BlockPlan, LoadResult, LoadSpec } from './spec.ts';
import type { BenchTessera } from './tessera.ts';

const NAMESPACE = 'https://bench.tessera.dev';

/**
 * Three actions as Auth0 tenants write them (docs/benchmarks.md#post-login-actions), bound in
 * this order. In the steady state of SSO logins none of them writes: the third sets app_metadata and
 * the cache only when they are missing (on a user's first login with them bound, during the warmup).
 */
export const TYPICAL_ACTIONS = [
  {
    name: 'Add roles and profile to tokens',
    code: `/** Adds the user's roles, plan and verification state to the ID and access tokens. */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = '${NAMESPACE}';
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim(namespace + '/roles', roles);
  api.accessToken.setCustomClaim(namespace + '/roles', roles);
  api.idToken.setCustomClaim(namespace + '/email_verified', event.user.email_verified === true);
  const plan = event.user.app_metadata && event.user.app_metadata.plan;
  if (plan) {
    api.idToken.setCustomClaim(namespace + '/plan', plan);
    api.accessToken.setCustomClaim(namespace + '/plan', plan);
  }
};
`,
  },
  {
    name: 'Application policy from client metadata',
    code: `/**
 * Per-application policy kept in the client's metadata: verified email required or not, the
 * application's tier, internal networks, and an admin-console flag for admins of enterprise apps.
 */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = '${NAMESPACE}';
  const metadata = event.client.metadata || {};
  if (metadata.require_verified_email === 'true' && !event.user.email_verified) {
    api.access.deny('Please verify your email address before signing in to ' + event.client.name + '.');
    return;
  }
  const tier = metadata.tier || 'standard';
  api.idToken.setCustomClaim(namespace + '/tier', tier);
  const networks = (metadata.internal_networks || '').split(',').map((p) => p.trim()).filter(Boolean);
  const ip = event.request.ip || '';
  if (networks.some((prefix) => ip.startsWith(prefix))) {
    api.idToken.setCustomClaim(namespace + '/network', 'internal');
  }
  const locale = event.request.language || (event.user.user_metadata && event.user.user_metadata.locale) || 'en';
  api.idToken.setCustomClaim(namespace + '/locale', locale);
  const roles = (event.authorization && event.authorization.roles) || [];
  if (tier === 'enterprise' && roles.includes('admin')) {
    api.accessToken.setCustomClaim(namespace + '/admin_console', true);
  }
};
`,
  },
  {
    name: 'Link customer record and feature flags',
    code: `/**
 * Links the user to a customer id once (app_metadata, written only when missing) and adds the feature
 * flags the user is rolled out to. The rollout table, parsed from the client's metadata, is kept in
 * api.cache so that later logins do not rebuild it.
 */
exports.onExecutePostLogin = async (event, api) => {
  const namespace = '${NAMESPACE}';
  const appMetadata = event.user.app_metadata || {};
  let customerId = appMetadata.customer_id;
  if (!customerId) {
    customerId = 'cus_' + event.user.user_id.replace(/[^a-zA-Z0-9]/g, '').slice(-16);
    api.user.setAppMetadata('customer_id', customerId);
    api.user.setAppMetadata('linked_at', new Date().toISOString());
  }
  api.idToken.setCustomClaim(namespace + '/customer_id', customerId);

  let rollout;
  const cached = api.cache.get('rollout:' + event.client.client_id);
  if (cached) {
    rollout = JSON.parse(cached.value);
  } else {
    rollout = {};
    for (const entry of (event.client.metadata.rollout || '').split(',')) {
      const [flag, percent] = entry.split(':');
      if (flag) rollout[flag.trim()] = Number(percent) || 0;
    }
    api.cache.set('rollout:' + event.client.client_id, JSON.stringify(rollout), { ttl: 10 * 60 * 1000 });
  }
  let bucket = 0;
  for (const char of event.user.user_id) bucket = (bucket * 31 + char.charCodeAt(0)) % 100;
  const features = Object.keys(rollout).filter((flag) => bucket < rollout[flag]);
  api.idToken.setCustomClaim(namespace + '/features', features);
  api.accessToken.setCustomClaim(namespace + '/features', features);
};
`,
  },
];

/** A claim only the actions set: its presence tells the load generator which variant answered. */
const MARKER_CLAIM = `${NAMESPACE}/customer_id`;
const ACTIONS = 'actions';
const NONE = 'none';
const SETTLE_MS = 250;
/** Flows of each warmup block at least: enough for the sandbox workers' host code to be optimised. */
const WARMUP_FLOWS = 150;

/**
 * What the actions read, as a tenant would have it: client metadata on the bench app, roles and a plan
 * on the users. Then the three actions are created and deployed (not bound yet). Answers their ids.
 */
export async function preparePostLoginTenant(tessera: BenchTessera): Promise<string[]> {
  const { storage, tenantId } = tessera;
  await storage.clients.update(tenantId, tessera.app.clientId, {
    clientMetadata: {
      tier: 'enterprise',
      require_verified_email: 'false',
      internal_networks: '10.,192.168.',
      rollout: 'new_checkout:30,dark_mode:100,beta_reports:5',
    },
  });
  const admin = await storage.roles.create(tenantId, { name: 'admin', description: 'Administrators' });
  const member = await storage.roles.create(tenantId, { name: 'member', description: 'Members' });
  for (const [i, userId] of tessera.userIds.entries()) {
    await storage.roles.assign(tenantId, userId, i % 4 === 0 ? [admin.id, member.id] : [member.id]);
    await storage.users.mergeMetadata(tenantId, userId, {
      app: { plan: i % 2 === 0 ? 'pro' : 'free' },
      user: { locale: i % 3 === 0 ? 'fr' : 'en' },
    });
  }
  const ids: string[] = [];
  for (const action of TYPICAL_ACTIONS) {
    const created = await storage.actions.create(tenantId, {
      name: action.name,
      code: action.code,
      supportedTriggers: [{ id: 'post-login', version: 'v3' }],
    });
    await storage.actions.deploy(tenantId, created.id);
    ids.push(created.id);
  }
  return ids;
}

async function executionCount(tessera: BenchTessera): Promise<number> {
  const [counted] = await tessera.storage.db.sql.query<{ n: number | string }>(
    'SELECT count(*) AS n FROM executions WHERE tenant_id = $1',
    [tessera.tenantId],
  );
  return Number(counted?.n ?? 0);
}

/**
 * docs/benchmarks.md#post-login-actions: the SSO login with the three typical actions bound vs with none,
 * on the same server and the same virtual users, in alternating blocks (spec.ts `BlockPlan`). Before
 * each block the tenant's post-login bindings are switched and checked (three actions, or none: then
 * the trigger finds no binding and never calls the sandbox). The first two blocks, one per variant,
 * are the warmup: the first login with actions bound starts the sandbox workers and compiles the
 * actions, each user's first run writes its customer id, and the block goes on for the spec's
 * warmupMs after its first flow and at least WARMUP_FLOWS flows. The trigger's execution records counted
 * per block prove which variant ran: none may appear in a block without actions.
 */
export async function benchPostLogin(
  tessera: BenchTessera,
  options: { label: string; concurrency: number; spec: LoadSpec },
): Promise<Row[]> {
  const { storage, tenantId } = tessera;
  const ids = await preparePostLoginTenant(tessera);
  // Blocks of about a second, an even number of rounds (A B | B A), `durationMs` measured per variant.
  const rounds = Math.max(2, 2 * Math.round(options.spec.durationMs / 2000));
  const plan: BlockPlan = {
    variants: [ACTIONS, NONE],
    rounds,
    blockMs: options.spec.durationMs / rounds,
    settleMs: SETTLE_MS,
    warmupFlows: WARMUP_FLOWS,
    claim: { name: MARKER_CLAIM, presentIn: [ACTIONS] },
  };
  const executions = { [ACTIONS]: 0, [NONE]: 0 };
  // Executions recorded in a block without actions, warmup included: each is an error of the baseline.
  let strayExecutions = 0;
  let current: { variant: string; measured: boolean } | undefined;
  let countAtStart = await executionCount(tessera);
  const closeBlock = async () => {
    const count = await executionCount(tessera);
    if (current?.measured) executions[current.variant as keyof typeof executions] += count - countAtStart;
    if (current?.variant === NONE) strayExecutions += count - countAtStart;
    countAtStart = count;
  };
  const results = await runBlocks({ ...options.spec, blocks: plan }, async (block) => {
    await closeBlock();
    await storage.actions.bind(tenantId, 'post-login', block.variant === ACTIONS ? ids : []);
    const bound = await storage.actions.deployedForTrigger(tenantId, 'post-login');
    const expected = block.variant === ACTIONS ? ids.length : 0;
    if (bound.length !== expected)
      throw new Error(`${bound.length} post-login actions bound, ${expected} expected`);
    current = block;
  });
  await closeBlock();
  await storage.actions.bind(tenantId, 'post-login', []);

  const none: LoadResult =
    strayExecutions === 0
      ? results[NONE]!
      : {
          ...results[NONE]!,
          errors: results[NONE]!.errors + strayExecutions,
          firstError:
            results[NONE]!.firstError ??
            `${strayExecutions} post-login executions recorded while no action was bound`,
        };
  const actions = results[ACTIONS]!;
  const perSecond = (result: LoadResult) => result.ops / (result.elapsedMs / 1000);
  const blocks = (result: LoadResult) =>
    `flows/s of its measured blocks in order: ${(result.blockRates ?? []).map((r) => r.toFixed(0)).join(', ')}`;
  const baseline = row('SSO login, no action bound (baseline)', options.label, options.concurrency, none, {
    target: 'baseline',
    met: null,
    notes: [
      `${executions[NONE]} post-login executions recorded in its measured blocks ` +
        `(${none.blockFlows} flows completed in them, settle and drain included)`,
      blocks(none),
    ],
  });
  const ratio = perSecond(actions) / perSecond(none);
  const addedP50 = actions.p50Ms - none.p50Ms;
  const addedP99 = actions.p99Ms - none.p99Ms;
  const missed = [
    ...(ratio >= 0.9 ? [] : ['ratio']),
    ...(addedP50 <= 1 ? [] : ['+p50']),
    ...(addedP99 <= 5 ? [] : ['+p99']),
  ];
  const withActions = row('SSO login + 3 post-login actions', options.label, options.concurrency, actions, {
    baseline: baseline.opsPerSec,
    baselineName: 'no action',
    ratio: round(ratio),
    addedP50Ms: round(addedP50),
    addedP99Ms: round(addedP99),
    target: 'ratio ≥ 0.9; +p50 ≤ 1 ms, +p99 ≤ 5 ms',
    met: actions.errors === 0 && none.errors === 0 && missed.length === 0,
    ...(missed.length === 0 ? {} : { missed }),
    notes: [
      `${plan.rounds} measured blocks of ${round(plan.blockMs)} ms per variant, alternating A B B A, ` +
        `each after ≥ ${SETTLE_MS} ms unmeasured (2 median flows); warmup per variant ${options.spec.warmupMs} ms ` +
        `from its first flow and ≥ ${WARMUP_FLOWS} flows`,
      `${executions[ACTIONS]} post-login executions recorded in its measured blocks ` +
        `(${actions.blockFlows} flows completed in them, settle and drain included)`,
      blocks(actions),
      `sandbox worker CPU ${round((actions.childrenCpuMs ?? 0) / Math.max(actions.ops, 1))} ms/op ` +
        `(included in CPU ms/op; ${round((none.childrenCpuMs ?? 0) / Math.max(none.ops, 1))} ms/op without actions)`,
    ],
  });
  return [baseline, withActions];
}
