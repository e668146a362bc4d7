import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Upstream } from '../cluster.ts';
import type { Person } from '../oidc/helpers.ts';
import { type Recorder, RequestFailed } from './recorder.ts';

/**
 * The clients of the fault suite, each behaving as a careful app does: an unanswered request (5xx,
 * or no answer at all) is sent again after a pause, to the other process (as a balancer would),
 * and a refresh is retried with the SAME token, which the app's reuse interval (`leeway`) allows.
 */

/** Pause between two operations of one client: a steady load, not a flood, on two cores. */
export const PAUSE_MS = 150;
export const RETRY_PAUSE_MS = 500;
/** How long a client keeps retrying; shorter than the app's reuse interval (fault-suite.test.ts). */
export const RETRY_WINDOW_MS = 20_000;

export const other = (via: Upstream): Upstream => (via === 'a' ? 'b' : 'a');

/** What every client shares. */
export interface Load {
  cluster: Cluster;
  recorder: Recorder;
  app: { clientId: string; clientSecret: string };
  /** Refresh tokens whose revocation was acknowledged, with the generation before each. */
  revoked: { token: string; previous: string | undefined; what: string }[];
  stopping: boolean;
}

/** One refresh-token chain: `token` is the current one, `previous` the one it replaced. */
export interface RefreshSession {
  what: string;
  token: string;
  previous: string | undefined;
}

export function tokenRequest(load: Load, via: Upstream, fields: Record<string, string>): Promise<Response> {
  const { cluster, app } = load;
  return load.recorder.send(via, `POST /oauth/token ${fields.grant_type}`, (signal) =>
    cluster.fetch(via, `${cluster.issuer}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, client_id: app.clientId, client_secret: app.clientSecret }),
      signal,
    }),
  );
}

/**
 * Sends until an answer below 500 comes, alternating processes from `via`, for RETRY_WINDOW_MS.
 * `interruptedAt`: when the first failed attempt began. No `response`: none came in the window.
 */
export async function untilAnswered(via: Upstream, send: (target: Upstream) => Promise<Response>) {
  let interruptedAt: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const began = Date.now();
    try {
      const response = await send(attempt % 2 === 0 ? via : other(via));
      if (response.status < 500) return { response, interruptedAt };
    } catch (error) {
      if (!(error instanceof RequestFailed)) throw error;
    }
    interruptedAt ??= began;
    if (Date.now() - interruptedAt > RETRY_WINDOW_MS) return { response: undefined, interruptedAt };
    await sleep(RETRY_PAUSE_MS);
  }
}

/** A session from a token response, or undefined (noted) when the answer is not one. */
export async function sessionFrom(
  load: Load,
  what: string,
  response: Response | undefined,
): Promise<RefreshSession | undefined> {
  const text = (await response?.text()) ?? '';
  const body = response?.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (typeof body.refresh_token === 'string' && typeof body.access_token === 'string')
    return { what, token: body.refresh_token, previous: undefined };
  const answer = response
    ? `${response.status} ${text.slice(0, 200)}`
    : `no answer within ${RETRY_WINDOW_MS} ms`;
  load.recorder.noteUnexpected(`${what}: ${answer}`);
  return undefined;
}

/** A refresh exchange; false when the session is lost (recorded with the answer that lost it). */
export async function refresh(load: Load, session: RefreshSession, via: Upstream): Promise<boolean> {
  const token = session.token;
  const { response, interruptedAt } = await untilAnswered(via, (target) =>
    tokenRequest(load, target, { grant_type: 'refresh_token', refresh_token: token }),
  );
  if (response?.status === 200) {
    const next = await sessionFrom(load, session.what, response);
    if (!next) return false;
    session.previous = token;
    session.token = next.token;
    if (interruptedAt !== undefined) load.recorder.keep(session.what, interruptedAt);
    return true;
  }
  const answer = response
    ? `${response.status} ${await response.text()}`
    : `still failing after ${RETRY_WINDOW_MS} ms of retries`;
  load.recorder.lose({ what: `${session.what} (refresh)`, at: Date.now(), interruptedAt, answer });
  return false;
}

/** `count` refreshes alternating processes; false once the session is lost. */
export async function useSession(load: Load, session: RefreshSession, via: Upstream, count: number) {
  for (let i = 0; i < count && !load.stopping; i++) {
    await sleep(PAUSE_MS);
    via = other(via);
    if (!(await refresh(load, session, via))) return false;
  }
  return true;
}

/**
 * Sessions that refresh back to back, without a pause, until `striking()` turns false, each then
 * finishing its last refresh as any client does (same-token retry). Started just before a fault, so
 * that it finds refreshes at every stage of their work, between consuming the old token and
 * answering included; `to` sends them all to one process (the one to be killed), else half to each.
 */
export async function refreshBurst(
  load: Load,
  person: Person,
  count: number,
  striking: () => boolean,
  to?: Upstream,
) {
  const sessions = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const via = to ?? (i % 2 === 0 ? 'a' : 'b');
      const { response } = await untilAnswered(via, (target) => passwordGrant(load, target, person));
      return { via, session: await sessionFrom(load, `${person.username}'s burst session ${i}`, response) };
    }),
  );
  return () =>
    Promise.all(
      sessions.map(async ({ via, session }) => {
        while (session && striking()) if (!(await refresh(load, session, via))) return;
      }),
    );
}

const passwordGrant = (load: Load, via: Upstream, person: Person) =>
  tokenRequest(load, via, {
    grant_type: 'password',
    username: person.username,
    password: person.password,
    scope: 'openid profile email offline_access',
  });

/** POST /oauth/revoke (RFC 7009: idempotent, so retried like the rest); recorded once acknowledged. */
export async function revoke(load: Load, session: RefreshSession, via: Upstream) {
  const { cluster, app } = load;
  const fields = {
    token: session.token,
    token_type_hint: 'refresh_token',
    client_id: app.clientId,
    client_secret: app.clientSecret,
  };
  const { response } = await untilAnswered(via, (target) =>
    load.recorder.send(target, 'POST /oauth/revoke', (signal) =>
      cluster.fetch(target, `${cluster.issuer}oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
        signal,
      }),
    ),
  );
  if (response?.status === 200) load.revoked.push({ ...session });
  else load.recorder.noteUnexpected(`revoking ${session.what}: ${response?.status ?? 'no answer'}`);
}

/** Password-grant sessions (Auth0's Resource Owner Password), refreshed, every `revokeEvery`th revoked. */
export async function passwordClient(load: Load, person: Person, first: Upstream, revokeEvery: number) {
  let via = first;
  for (let sessions = 1; !load.stopping; sessions++) {
    const { response } = await untilAnswered(via, (target) => passwordGrant(load, target, person));
    const session = await sessionFrom(load, `${person.username}'s session ${sessions}`, response);
    if (session && (await useSession(load, session, via, 6)) && sessions % revokeEvery === 0)
      await revoke(load, session, via);
    via = other(via);
    await sleep(PAUSE_MS);
  }
}
