import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { RoutedBrowser, type Upstream } from '../cluster.ts';
import { type Person, postForm, REDIRECT_URI } from '../oidc/helpers.ts';
import {
  type Load,
  other,
  PAUSE_MS,
  RETRY_PAUSE_MS,
  RETRY_WINDOW_MS,
  type RefreshSession,
  sessionFrom,
  tokenRequest,
  useSession,
} from './clients.ts';
import { type Recorder, RequestFailed } from './recorder.ts';

/** A Browser whose every request goes through the recorder (client timeout, whole answer read). */
export class RecordingBrowser extends RoutedBrowser {
  readonly recorder: Recorder;
  constructor(origin: string, via: Upstream, recorder: Recorder) {
    super(origin, via);
    this.recorder = recorder;
  }
  override fetch(url: string, init: RequestInit = {}): Promise<Response> {
    // Interaction and resume ids in paths (`/authorize/<uid>`) would make every request its own kind.
    const path = new URL(url, this.origin).pathname.replace(/\/[\w-]{16,}/g, '/{id}');
    return this.recorder.send(this.via, `${init.method ?? 'GET'} ${path}`, (signal) =>
      super.fetch(url, { ...init, signal }),
    );
  }
}

/**
 * A browser that logs in through the login page once, then comes back for SSO: its session must
 * answer without the login page (a page shown instead is a lost session; the browser then logs in
 * again), each login giving a refresh chain used a few times. Not `prompt=none`: a silent renewal gets
 * no refresh token (packages/oidc/src/offline-access.ts).
 */
export async function browserClient(load: Load, person: Person, first: Upstream) {
  const browser = new RecordingBrowser(load.cluster.issuer, first, load.recorder);
  let signedIn = false;
  while (!load.stopping) {
    const session = await codeLogin(load, browser, person, signedIn);
    if (session) {
      signedIn = true;
      await useSession(load, session, browser.via, 3);
    }
    browser.via = other(browser.via);
    await sleep(PAUSE_MS);
  }
}

/** codeLoginOnce, started over (on the other process) while it meets 5xx or no answer. */
async function codeLogin(load: Load, browser: RecordingBrowser, person: Person, sso: boolean) {
  const began = Date.now();
  while (Date.now() - began < RETRY_WINDOW_MS) {
    try {
      const outcome = await codeLoginOnce(load, browser, person, sso);
      if (outcome !== 'retry') return outcome;
    } catch (error) {
      if (!(error instanceof RequestFailed)) throw error;
    }
    browser.via = other(browser.via);
    await sleep(RETRY_PAUSE_MS);
  }
  load.recorder.noteUnexpected(`${person.username}: no browser login within ${RETRY_WINDOW_MS} ms`);
  return undefined;
}

/**
 * One authorization-code + PKCE login on `browser.via`, through the login page when one is shown
 * (with `sso`, the browser's session should have made it needless). A code is redeemed once, never
 * retried (RFC 6749 §4.1.2): a login whose step got 5xx or no answer starts over ('retry').
 * Unexpected answers are noted; the session's refresh chain, or undefined.
 */
export async function codeLoginOnce(
  load: Load,
  browser: RecordingBrowser,
  person: Person,
  sso: boolean,
): Promise<RefreshSession | 'retry' | undefined> {
  const { cluster, app, recorder } = load;
  const what = `${person.username}'s ${sso ? 'SSO' : 'login'} on ${browser.via}`;
  const verifier = oidc.randomPKCECodeVerifier();
  const params = new URLSearchParams({
    client_id: app.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
    state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let step = await browser.follow(`${cluster.issuer}authorize?${params}`);
  if (!step.url.startsWith(REDIRECT_URI) && step.response.status === 200) {
    const html = await step.response.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form[^>]+action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    if (csrf && action) {
      if (sso) {
        const answer = `the login page instead of SSO (${new URL(step.url).pathname})`;
        recorder.lose({
          what: `${person.username}'s browser session`,
          at: Date.now(),
          interruptedAt: undefined,
          answer,
        });
      }
      step = await postForm(browser, action, {
        _csrf: csrf,
        username: person.username,
        password: person.password,
      });
    }
  }
  if (!step.url.startsWith(REDIRECT_URI)) {
    if (step.response.status >= 500) return 'retry';
    recorder.noteUnexpected(`${what}: ${step.response.status} at ${new URL(step.url).pathname}`);
    return undefined;
  }
  const code = new URL(step.url).searchParams.get('code');
  if (!code) {
    recorder.noteUnexpected(`${what}: redirected to the app with ${new URL(step.url).search}`);
    return undefined;
  }
  const response = await tokenRequest(load, browser.via, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (response.status >= 500) return 'retry';
  return sessionFrom(load, `${person.username}'s ${sso ? 'SSO' : 'login'} session`, response);
}
