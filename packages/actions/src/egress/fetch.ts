import type { IncomingMessage } from 'node:http';
import { type Deadline, startDeadline } from './deadline.ts';
import { EgressError } from './errors.ts';
import { nextHop, redirectLocation } from './follow-redirect.ts';
import type { EgressPolicy } from './policy.ts';
import { prepareRequest } from './prepare-request.ts';
import { readBody } from './read-body.ts';
import { resolveTarget } from './resolve-target.ts';
import { send } from './send.ts';

export { EgressError, type EgressErrorCode } from './errors.ts';

export interface EgressRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  redirect: 'follow' | 'manual' | 'error';
}

export interface EgressResponse {
  url: string;
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  redirected: boolean;
  body: Uint8Array;
}

/**
 * The host side of a sandboxed action's `fetch`. Each hop runs the same pipeline, in order:
 * validate (prepare-request / follow-redirect) → resolve and check addresses (resolve-target) → connect to
 * the checked addresses only (send) → follow a redirect or read the capped body (read-body).
 * Every failure is an EgressError; its message names the host and never carries headers or bodies.
 */
export async function egressFetch(
  request: EgressRequest,
  policy: EgressPolicy,
  signal?: AbortSignal,
): Promise<EgressResponse> {
  let hop = prepareRequest(request, policy);
  const deadline = startDeadline(policy.timeoutMs, signal);
  let redirects = 0;
  try {
    for (;;) {
      const addresses = await resolveTarget(hop.url, policy, deadline.signal);
      const response = await send(hop, addresses, deadline.signal);
      const target = redirectLocation(response.statusCode ?? 0, response.headers.location, hop.url);
      if (target === undefined || request.redirect === 'manual') {
        const body = await readBody(
          response,
          hop.method,
          hop.url.host,
          policy.maxResponseBytes,
          deadline.signal,
        );
        return toResponse(hop.url, response, body, redirects > 0);
      }
      // Not reading the redirect's body: with `agent: false` the socket is ours alone, so just close it.
      response.destroy();
      if (request.redirect === 'error') {
        throw new EgressError(
          'network',
          `fetch to ${hop.url.host} failed: redirected to ${target.host} (redirect: 'error')`,
        );
      }
      if (redirects >= policy.maxRedirects) {
        throw new EgressError(
          'network',
          `fetch to ${hop.url.host} failed: more than ${policy.maxRedirects} redirects`,
        );
      }
      redirects += 1;
      hop = nextHop(hop, response.statusCode ?? 0, target);
    }
  } catch (error) {
    throw explain(error, hop.url.host, deadline, policy);
  } finally {
    deadline.dispose();
  }
}

function toResponse(
  url: URL,
  response: IncomingMessage,
  body: Uint8Array,
  redirected: boolean,
): EgressResponse {
  const headers: Array<[string, string]> = [];
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  const final = new URL(url);
  final.hash = ''; // Response.url never carries the fragment (WHATWG fetch).
  return {
    url: final.href,
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? '',
    headers,
    redirected,
    body,
  };
}

/** Turns whatever stopped the fetch into an EgressError naming the host that was being fetched. */
function explain(error: unknown, host: string, deadline: Deadline, policy: EgressPolicy): EgressError {
  if (error instanceof EgressError) return error;
  if (deadline.timedOut) {
    return new EgressError('timeout', `fetch to ${host} timed out after ${policy.timeoutMs} ms`);
  }
  if (deadline.signal.aborted) {
    const reason: unknown = deadline.signal.reason;
    const code = reason instanceof Error && reason.name === 'TimeoutError' ? 'timeout' : 'network';
    return new EgressError(code, `fetch to ${host} was aborted`, { cause: reason });
  }
  return new EgressError('network', `fetch to ${host} failed: ${describe(error)}`, { cause: error });
}

/**
 * Node's socket, TLS and parser errors name the address and the failure, never request data. Advice
 * meant for the server operator ("; try running Node.js with --use-system-ca") is cut off.
 */
function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(error instanceof Error)) return 'connection error';
  const message = error.message.split(';')[0]!;
  return message.includes(code) ? message : `${message} (${code})`;
}
