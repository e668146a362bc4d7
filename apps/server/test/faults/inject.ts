import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedis, stopRedis } from '@tessera/testing';
import type { Cluster, Upstream } from '../cluster.ts';
import type { Person } from '../oidc/helpers.ts';
import { type Load, refreshBurst } from './clients.ts';
import type { Fault } from './report.ts';

/**
 * The three faults of the suite, each struck while refreshes are under way at every stage, and
 * measured: when it struck, when it was lifted, how long each process took to be ready again.
 */

const OUTAGE_MS = 5_000;
const KILLED_MS = 2_000;
/** Sessions refreshing back to back when a fault strikes. */
const BURST_SESSIONS = 6;
/** Ready again "within a few seconds" of a store's return. */
const RECOVERY_MS = 5_000;
/** A process started again: its boot on a loaded 2-core machine, then ready. */
const RESTART_MS = 15_000;

/** What the faults act on. `redis.child` is replaced when Redis is started again. */
export interface Target {
  cluster: Cluster;
  load: Load;
  redis: { child: ChildProcess; port: number; dir: string };
  /** The user whose sessions refresh back to back when a fault strikes. */
  burster: Person;
}

/** Redis stopped (SHUTDOWN SAVE, as a restart with persistence does), started again 5 s later. */
export async function redisRestarted(target: Target): Promise<Fault> {
  const { redis } = target;
  const burst = await burstUnderWay(target);
  const startedAt = Date.now();
  await stopRedis(redis.child, { save: { port: redis.port } });
  burst.stop();
  await sleep(OUTAGE_MS);
  redis.child = await startRedis(redis.port, { dir: redis.dir });
  const fault = await measured(target.cluster, 'Redis stopped 5 s', startedAt, Date.now(), RECOVERY_MS);
  await burst.done;
  return fault;
}

/** Every connection between the processes and Postgres cut, new ones refused, for 5 s. */
export async function postgresCut(target: Target): Promise<Fault> {
  const relay = target.cluster.relay!;
  const burst = await burstUnderWay(target);
  const startedAt = Date.now();
  await relay.cut();
  burst.stop();
  await sleep(OUTAGE_MS);
  await relay.restore();
  const fault = await measured(target.cluster, 'Postgres link cut 5 s', startedAt, Date.now(), RECOVERY_MS);
  await burst.done;
  return fault;
}

/** Process b SIGKILLed, started again on its port 2 s later; `down` until it listens. */
export async function processKilled(target: Target): Promise<Fault> {
  const { cluster } = target;
  const burst = await burstUnderWay(target, 'b');
  const startedAt = Date.now();
  await cluster.kill('b', 'SIGKILL');
  burst.stop();
  await sleep(KILLED_MS);
  const endedAt = Date.now();
  const restarted = cluster.restart('b').then(() => Date.now());
  const fault = measured(cluster, 'b SIGKILLed, restarted', startedAt, endedAt, RESTART_MS);
  const down = { via: 'b' as const, from: startedAt, to: await restarted };
  await burst.done;
  return { ...(await fault), down };
}

/**
 * Refreshes back to back (refreshBurst), under way for 300 ms, so that the fault about to strike
 * finds refreshes at every stage of their work; `stop` once it has struck, `done` when each has
 * finished its last refresh.
 */
async function burstUnderWay(target: Target, to?: Upstream) {
  let striking = true;
  const start = await refreshBurst(target.load, target.burster, BURST_SESSIONS, () => striking, to);
  const done = start();
  await sleep(300);
  return {
    stop: () => {
      striking = false;
    },
    done,
  };
}

/** The fault with the time each process took to answer /ready with 200 after `endedAt`. */
async function measured(
  cluster: Cluster,
  name: string,
  startedAt: number,
  endedAt: number,
  boundMs: number,
): Promise<Fault> {
  const readyAfter = async (via: Upstream) => {
    // Waits past the bound (bounded too), so a late recovery is measured rather than just failed.
    while (Date.now() < endedAt + boundMs + 10_000) {
      const status = await cluster
        .fetch(via, `${cluster.issuer}ready`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.status)
        .catch(() => 0);
      if (status === 200) return Date.now() - endedAt;
      await sleep(50);
    }
    return undefined;
  };
  const [a, b] = await Promise.all([readyAfter('a'), readyAfter('b')]);
  return { name, startedAt, endedAt, boundMs, ready: { a, b } };
}
