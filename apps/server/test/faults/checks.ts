import type { Upstream } from '../cluster.ts';
import type { Person } from '../oidc/helpers.ts';
import { codeLoginOnce, RecordingBrowser } from './browser-client.ts';
import { type Load, tokenRequest } from './clients.ts';

/** What the suite checks once the faults are over and the load has stopped; each returns its problems. */

const PROCESSES: Upstream[] = ['a', 'b'];

/** A refresh exchange's status and body, or the reason there was none. */
async function exchange(load: Load, via: Upstream, refreshToken: string) {
  try {
    const response = await tokenRequest(load, via, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    const text = await response.text();
    let error: unknown;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {}
    return { status: response.status, error, text: text.slice(0, 200) };
  } catch (failed) {
    return { status: undefined, error: undefined, text: (failed as Error).message };
  }
}

/**
 * Each acknowledged revocation presented again at both processes, with the generation before it
 * (the one a reuse interval would otherwise accept): every one must be refused with invalid_grant.
 */
export async function revokedStillValid(load: Load): Promise<string[]> {
  const problems: string[] = [];
  for (const { what, token, previous } of load.revoked)
    for (const [which, presented] of [
      ['revoked token', token],
      ['token before it', previous],
    ] as const) {
      if (presented === undefined) continue;
      for (const via of PROCESSES) {
        const answer = await exchange(load, via, presented);
        if (answer.status !== 400 || answer.error !== 'invalid_grant')
          problems.push(`${what}, ${which}, at ${via}: ${answer.status ?? ''} ${answer.text}`);
      }
    }
  return problems;
}

/** A new browser logs in through the login page on each process, then refreshes there: once, no retry. */
export async function freshLoginFailures(load: Load, person: Person): Promise<string[]> {
  const problems: string[] = [];
  for (const via of PROCESSES) {
    const browser = new RecordingBrowser(load.cluster.issuer, via, load.recorder);
    const session = await codeLoginOnce(load, browser, person, false).catch((error: Error) => error.message);
    if (typeof session !== 'object') {
      const why =
        session === 'retry' ? 'a step answered 5xx' : (session ?? load.recorder.unexpected.at(-1)?.what);
      problems.push(`login on ${via}: ${why}`);
      continue;
    }
    const answer = await exchange(load, via, session.token);
    if (answer.status !== 200) problems.push(`refresh on ${via}: ${answer.status ?? ''} ${answer.text}`);
  }
  return problems;
}
