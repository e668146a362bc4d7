import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { childrenCpuMs } from './actions-proc.ts';
import { idTokenClaims, type VirtualUser, virtualUser } from './flows.ts';
import type { BlockMessage, BlockPlan, LoadResult, LoadSpec } from './spec.ts';
import { cpuWindow, summarize } from './stats.ts';

/**
 * The load generator, in a worker thread so it never takes the server's event loop: `concurrency`
 * closed loops over one keep-alive pool. After a warmup, operations completed inside the measurement
 * window are counted and timed, and the process's and this thread's CPU time over the window are read.
 * With a block plan (spec.blocks), the same loops run the plan's blocks one after the other instead.
 */
async function generate(spec: LoadSpec): Promise<LoadResult> {
  return withUsers(spec, async (users) => {
    const from = performance.now() + spec.warmupMs;
    const until = from + spec.durationMs;
    const window = cpuWindow(spec.warmupMs, spec.durationMs);
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    await Promise.all(
      users.map(async (user) => {
        while (performance.now() < until) {
          const began = performance.now();
          try {
            await user.run();
          } catch (error) {
            errors += 1;
            firstError ??= (error as Error).message;
            // A refresh chain whose token failed cannot go on; other loops try again.
            if (spec.kind === 'refresh') return;
            continue;
          }
          const ended = performance.now();
          if (ended >= from && ended <= until) latencies.push(ended - began);
        }
      }),
    );
    const { processCpuMs, threadCpuMs } = await window;
    return {
      ...summarize(latencies),
      errors,
      firstError,
      elapsedMs: spec.durationMs,
      processCpuMs,
      loadgenCpuMs: threadCpuMs,
    };
  });
}

async function withUsers<T>(spec: LoadSpec, use: (users: VirtualUser[]) => Promise<T>): Promise<T> {
  const pool = new Pool(spec.target.origin, {
    connections: spec.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  try {
    const users = Array.from({ length: spec.concurrency }, (_, i) => virtualUser(spec, pool, i));
    await Promise.all(users.map((user) => user.setup?.()));
    return await use(users);
  } finally {
    await pool.close();
  }
}

interface Tally {
  latencies: number[];
  errors: number;
  firstError?: string;
  elapsedMs: number;
  processCpuMs: number;
  loadgenCpuMs: number;
  childrenCpuMs: number;
  blockFlows: number;
  blockRates: number[];
}

/** CPU so far of this process with its child processes (the sandbox workers), and of this thread. */
function cpuNow() {
  const ms = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
  const children = childrenCpuMs();
  return { process: ms(process.cpuUsage()) + children, thread: ms(process.threadCpuUsage()), children };
}

/**
 * The blocks of a plan (spec.ts `BlockPlan`): one unmeasured warmup block per variant, then the
 * measured rounds. Before each block the main thread switches the server to the block's variant; a
 * block's loops stop starting flows at its end and the next block starts once all have finished.
 * Errors count in every block, warmup included, so none is hidden.
 */
async function generateBlocks(spec: LoadSpec, plan: BlockPlan): Promise<Record<string, LoadResult>> {
  return withUsers(spec, async (users) => {
    const tallies = new Map<string, Tally>(
      plan.variants.map((variant) => [
        variant,
        {
          latencies: [],
          errors: 0,
          elapsedMs: 0,
          processCpuMs: 0,
          loadgenCpuMs: 0,
          childrenCpuMs: 0,
          blockFlows: 0,
          blockRates: [],
        },
      ]),
    );
    const blocks = [
      ...plan.variants.map((variant) => ({ variant, measured: false })),
      ...Array.from({ length: plan.rounds }, (_, round) =>
        (round % 2 === 0 ? plan.variants : [...plan.variants].reverse()).map((variant) => ({
          variant,
          measured: true,
        })),
      ).flat(),
    ];
    // The median flow of each variant's last block: a block settles for two of them (at least
    // plan.settleMs), so the loops, which all start together, are spread out when measuring begins.
    const medians = new Map<string, number>();
    for (const block of blocks) {
      const reply = once(parentPort!, 'message');
      parentPort!.postMessage({ prepare: block } satisfies BlockMessage);
      const [answer] = (await reply) as [{ ready?: true; abort?: string }];
      if (answer.abort !== undefined) throw new Error(answer.abort);
      const lead = block.measured
        ? Math.min(MAX_SETTLE_MS, Math.max(plan.settleMs, 2 * (medians.get(block.variant) ?? 0)))
        : spec.warmupMs;
      const median = await runBlock(users, plan, block, lead, tallies.get(block.variant)!);
      if (median !== undefined) medians.set(block.variant, median);
    }
    return Object.fromEntries(
      [...tallies].map(([variant, tally]) => [
        variant,
        {
          ...summarize(tally.latencies),
          errors: tally.errors,
          ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
          elapsedMs: tally.elapsedMs,
          processCpuMs: tally.processCpuMs,
          loadgenCpuMs: tally.loadgenCpuMs,
          childrenCpuMs: tally.childrenCpuMs,
          blockFlows: tally.blockFlows,
          blockRates: tally.blockRates,
        },
      ]),
    );
  });
}

const MAX_SETTLE_MS = 2000;
/** A warmup block that cannot reach its flows (a failing server) ends anyway. */
const MAX_WARMUP_MS = 30_000;

/**
 * One block. A measured one runs `lead` ms unmeasured, then `plan.blockMs` measured. A warmup block
 * lasts `lead` ms from its first completed flow (the first flows with actions bound start the sandbox
 * workers) and at least `plan.warmupFlows` flows. Answers the median duration of the block's flows
 * (undefined when none completed).
 */
async function runBlock(
  users: VirtualUser[],
  plan: BlockPlan,
  { variant, measured }: { variant: string; measured: boolean },
  lead: number,
  tally: Tally,
): Promise<number | undefined> {
  const claimWanted = plan.claim === undefined ? undefined : plan.claim.presentIn.includes(variant);
  const start = performance.now();
  const from = start + lead;
  const until = from + (measured ? plan.blockMs : 0);
  const durations: number[] = [];
  let firstAt: number | undefined;
  let inWindow = 0;
  const more = measured
    ? () => performance.now() < until
    : () => {
        const now = performance.now();
        if (now >= start + MAX_WARMUP_MS) return false;
        return firstAt === undefined || now < firstAt + lead || durations.length < plan.warmupFlows;
      };
  let cpuAtFrom: ReturnType<typeof cpuNow> | undefined;
  let cpuAtUntil: ReturnType<typeof cpuNow> | undefined;
  const edges = measured
    ? [
        sleep(Math.max(0, from - performance.now())).then(() => {
          cpuAtFrom = cpuNow();
        }),
        sleep(Math.max(0, until - performance.now())).then(() => {
          cpuAtUntil = cpuNow();
        }),
      ]
    : [];
  await Promise.all(
    users.map(async (user) => {
      while (more()) {
        const began = performance.now();
        try {
          const tokens = await user.run();
          if (plan.claim !== undefined && claimWanted !== plan.claim.name in idTokenClaims(tokens))
            throw new Error(
              `variant ${variant}: the ID token ${claimWanted ? 'lacks' : 'has'} the claim ${plan.claim.name}`,
            );
        } catch (error) {
          tally.errors += 1;
          tally.firstError ??= `${variant}: ${(error as Error).message}`;
          continue;
        }
        const ended = performance.now();
        firstAt ??= ended;
        durations.push(ended - began);
        if (measured) tally.blockFlows += 1;
        if (measured && ended >= from && ended <= until) {
          tally.latencies.push(ended - began);
          inWindow += 1;
        }
      }
    }),
  );
  await Promise.all(edges);
  if (measured && cpuAtFrom !== undefined && cpuAtUntil !== undefined) {
    tally.blockRates.push((inWindow / (until - from)) * 1000);
    tally.elapsedMs += until - from;
    tally.processCpuMs += cpuAtUntil.process - cpuAtFrom.process;
    tally.loadgenCpuMs += cpuAtUntil.thread - cpuAtFrom.thread;
    tally.childrenCpuMs += cpuAtUntil.children - cpuAtFrom.children;
  }
  return durations.length === 0 ? undefined : summarize(durations).p50Ms;
}

const spec = workerData as LoadSpec;
(spec.blocks === undefined ? generate(spec) : generateBlocks(spec, spec.blocks)).then(
  (result) => parentPort!.postMessage({ result }),
  (error: Error) => parentPort!.postMessage({ error: error.stack ?? error.message }),
);
