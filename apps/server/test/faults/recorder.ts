import type { Upstream } from '../cluster.ts';

/**
 * How long a client waits for an answer. docs/operations.md states no bound for a request that meets
 * an unavailable database or Redis (only TESSERA_SHUTDOWN_TIMEOUT_MS for draining): 10 s until it
 * does, and a request still unanswered then fails the suite.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

/** One request as a client saw it, through the balancer. */
export interface Exchange {
  via: Upstream;
  /** `POST /oauth/token refresh_token`, `GET /u/login`… */
  what: string;
  startedAt: number;
  ms: number;
  status?: number;
  retryAfter?: string | null;
  /** No answer: the connection failed (the balancer's 502 included), or the client timeout struck. */
  failure?: 'connection' | 'timeout';
  /** The start of an error answer's body, or the failure's cause. */
  detail?: string;
}

/** A request that got no answer; the exchange is recorded already. */
export class RequestFailed extends Error {
  readonly kind: 'connection' | 'timeout';
  constructor(kind: 'connection' | 'timeout', detail: string) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
  }
}

/** A session that could no longer be used: a refresh chain refused, or a browser session forgotten. */
export interface LostSession {
  what: string;
  /** When the answer that lost it came. */
  at: number;
  /** When the first of its failed attempts began (the fault it met), if any failed before. */
  interruptedAt: number | undefined;
  answer: string;
}

/** Every request the clients sent, what they did not expect, and the sessions they lost. */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  /** Error answers other than 5xx that a client did not expect, with what it was doing. */
  readonly unexpected: { at: number; what: string }[] = [];
  readonly lost: LostSession[] = [];
  /** Sessions whose refresh met a fault (5xx or no answer) and went on after a retry. */
  readonly kept: { what: string; interruptedAt: number; at: number }[] = [];
  /** Times in messages count from here: the start of the load. */
  origin = Date.now();

  /**
   * Sends a request with the client timeout and reads the whole answer (a body cut by a dying
   * process is a failed request too). Resolves with the buffered answer; rejects with RequestFailed
   * when there is none.
   */
  async send(
    via: Upstream,
    what: string,
    request: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Response> {
    const exchange: Exchange = { via, what, startedAt: Date.now(), ms: 0 };
    this.exchanges.push(exchange);
    try {
      const response = await request(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      const body = await response.arrayBuffer();
      exchange.status = response.status;
      exchange.retryAfter = response.headers.get('retry-after');
      const text = condense(Buffer.from(body).toString('utf8'));
      if (response.status === 502 && text.startsWith('balancer:')) {
        exchange.failure = 'connection';
        exchange.detail = text;
        throw new RequestFailed('connection', text);
      }
      if (response.status >= 400) exchange.detail = text;
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : body, { status: response.status, headers: response.headers });
    } catch (error) {
      if (error instanceof RequestFailed) throw error;
      exchange.failure = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection';
      exchange.detail = describe(error);
      throw new RequestFailed(exchange.failure, exchange.detail);
    } finally {
      exchange.ms = Date.now() - exchange.startedAt;
    }
  }

  noteUnexpected(what: string): void {
    this.unexpected.push({ at: Date.now(), what });
  }

  lose(session: LostSession): void {
    this.lost.push(session);
  }

  keep(what: string, interruptedAt: number): void {
    this.kept.push({ what, interruptedAt, at: Date.now() });
  }

  /** Seconds since the recording began, for messages. */
  time(at: number): string {
    return `+${((at - this.origin) / 1000).toFixed(1)}s`;
  }
}

/** A body in one short line: a page's text without its head and tags, JSON as it is. */
function condense(text: string): string {
  const shown = text.startsWith('<')
    ? text.replace(/<head>[\s\S]*<\/head>/, '').replace(/<[^>]*>/g, ' ')
    : text;
  return shown.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** An error and its causes in one line (fetch hides the socket error in `cause`). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error && parts.length < 3; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    parts.push(`${current.name}: ${current.message}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return parts.join(' <- ') || String(error);
}
