import { randomBytes } from 'node:crypto';
import type { Command, PostLoginEvent } from '@tessera/actions';
import { InvalidRequestError, type KvStore, type PostLoginTransaction } from '@tessera/core';

/** A login paused by `api.redirect.sendUserTo`, waiting for `/continue?state=…` (KV, single use). */
export interface PausedLogin {
  tenantId: string;
  /** The interaction whose cookie must come back with the state; unset until an SSO pause is bound. */
  interactionUid?: string;
  /** ms since the epoch; checked on read even if the store still holds the entry (docs/security.md#37). */
  expiresAt: number;
  transaction: PostLoginTransaction;
  /** The event as the next action would have seen it (metadata changes applied). */
  event: PostLoginEvent;
  /** The action whose `onContinuePostLogin` runs on return, and the version that paused. */
  action: { id: string; versionId: string };
  /** Every command of the run so far (claims and scopes are applied when the login completes). */
  commands: Command[];
  /** Where the browser goes, with `state` added. */
  url: string;
  /** The execution records of the run so far. */
  executions: string[];
}

const invalid = () =>
  new InvalidRequestError(
    'This /continue link is not valid: it was already used, has expired, or belongs to another login or browser. Start again from the application.',
  );

/** Paused logins in the KV store, keyed by their `state`. */
export class PausedLogins {
  readonly #kv: KvStore;
  readonly #ttlMs: number;

  /** `ttlMs`: how long the user may stay on the page an action sent them to. */
  constructor(kv: KvStore, ttlMs: number) {
    this.#kv = kv.scoped('post-login-pause:');
    this.#ttlMs = ttlMs;
  }

  /** Stores a pause under a fresh state and returns it with the browser's URL. */
  async park(pause: Omit<PausedLogin, 'expiresAt' | 'url'>, target: string, now = Date.now()) {
    const state = randomBytes(24).toString('base64url');
    const url = new URL(target);
    url.searchParams.set('state', state);
    const stored: PausedLogin = { ...pause, url: url.href, expiresAt: now + this.#ttlMs };
    await this.#kv.set(key(pause.tenantId, state), JSON.stringify(stored), this.#ttlMs);
    return { state, url: url.href };
  }

  /** Binds an unbound pause to an interaction: only once, and only an unbound one. */
  async bind(tenantId: string, state: string, interactionUid: string) {
    const raw = await this.#kv.get(key(tenantId, state));
    const pause = raw === undefined ? undefined : (JSON.parse(raw) as PausedLogin);
    if (pause === undefined || pause.interactionUid !== undefined) throw invalid();
    const bound = JSON.stringify({ ...pause, interactionUid });
    if (!(await this.#kv.compareAndSet(key(tenantId, state), raw!, bound))) throw invalid();
  }

  /**
   * Takes the pause a `/continue` request names, once: it must exist, be unexpired and belong to the
   * interaction of the browser that presents it. A state shown by another browser is refused without
   * being used up, so a leaked state cannot cancel the real user's login.
   */
  async take(tenantId: string, state: string, interactionUid: string, now = Date.now()) {
    const raw = await this.#kv.get(key(tenantId, state));
    if (raw === undefined || !belongs(JSON.parse(raw) as PausedLogin, interactionUid)) throw invalid();
    const taken = await this.#kv.consume(key(tenantId, state));
    if (taken === undefined) throw invalid();
    const pause = JSON.parse(taken) as PausedLogin;
    if (!belongs(pause, interactionUid) || pause.expiresAt <= now) throw invalid();
    return pause;
  }
}

const belongs = (pause: PausedLogin, interactionUid: string) =>
  pause.interactionUid !== undefined && pause.interactionUid === interactionUid;

/** A state is what park() makes: anything else is refused before it reaches the store. */
const STATE = /^[A-Za-z0-9_-]{32}$/;

function key(tenantId: string, state: string) {
  if (!STATE.test(state)) throw invalid();
  return `${tenantId}:${state}`;
}
