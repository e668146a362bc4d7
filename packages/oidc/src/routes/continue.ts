import { InvalidRequestError, type PostLoginPort, ServiceUnavailableError } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordLoginOutcome } from '../audit-events.ts';
import { applyOutcome } from './complete-login.ts';
import type { InteractionDeps } from './interaction-context.ts';

const NOT_HERE =
  'This /continue link does not belong to a login in progress in this browser. Start again from the application.';

/**
 * `GET|POST /continue?state=…`: the browser's return from the page a post-login action sent it to
 * (`api.redirect.sendUserTo`). The state must name a paused login of the interaction this browser's
 * cookie names, unexpired and unused (docs/security.md#22, #37); the trigger then runs the action's
 * `onContinuePostLogin` with this request's query or form body (where `validateToken` finds its
 * `session_token`), then the remaining actions, and the login ends as they decide.
 */
export async function continueRoutes(
  app: FastifyInstance,
  deps: InteractionDeps & { postLogin: PostLoginPort },
) {
  const resume = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = plain(request.query);
    const body = request.method === 'POST' ? plain(request.body) : {};
    const resubmitted = body[RESUBMITTED] === '1';
    delete body[RESUBMITTED];
    // Auth0 reads `state` from the query or the form body.
    const state = typeof query.state === 'string' ? query.state : body.state;
    if (typeof state !== 'string' || state === '') throw new InvalidRequestError('missing state');
    const provider = await deps.providers.get(request.tenant);
    let interactionUid: string;
    try {
      interactionUid = (await provider.interactionDetails(request.raw, reply.raw)).uid;
    } catch (error) {
      // A store that is down is not a missing cookie: it answers 503, and the same request works later.
      if (error instanceof ServiceUnavailableError) throw error;
      // A form posted by the external site is a cross-site POST: the browser withholds the SameSite=Lax
      // interaction cookie. Posting the same fields again from this origin brings it along.
      if (request.method === 'POST' && !resubmitted) return resubmitPage(reply, request.url, body);
      throw new InvalidRequestError(NOT_HERE);
    }
    const { outcome, transaction } = await deps.postLogin.resume({
      tenantId: request.tenant.id,
      state,
      interactionUid,
      ip: request.ip,
      request: {
        hostname: request.hostname.replace(/:\d+$/, ''),
        method: request.method,
        userAgent: request.headers['user-agent'],
        language: request.headers['accept-language']?.split(',')[0]?.trim(),
      },
      query,
      body,
    });
    const login =
      transaction.login === undefined
        ? undefined
        : { accountId: transaction.userId, amr: transaction.login.amr };
    const answer = await applyOutcome(provider, request, reply, outcome, login, transaction.session?.id);
    recordLoginOutcome(deps.storage, request, {
      userId: transaction.userId,
      clientId: transaction.clientId,
      outcome,
    });
    return answer;
  };
  app.get('/continue', resume);
  app.post('/continue', resume);
}

const RESUBMITTED = '_tessera_resubmitted';
const MAX_RESUBMIT_FIELDS = 64;

/**
 * The same form, posted again by /u/assets/resubmit.js (the CSP allows no inline script) or by the
 * button when scripts are off. Only string fields travel; the state binding to the interaction, not
 * the cookie's SameSite attribute, is what keeps another site from resuming someone's login.
 */
function resubmitPage(reply: FastifyReply, action: string, body: Record<string, unknown>) {
  const fields = Object.entries(body).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  if (fields.length > MAX_RESUBMIT_FIELDS) throw new InvalidRequestError('too many form fields');
  const inputs = [...fields, [RESUBMITTED, '1'] as const]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return reply
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Continue</title>` +
        `<script src="/u/assets/resubmit.js" defer></script></head><body>` +
        `<form id="resubmit" method="post" action="${escapeHtml(action)}">${inputs}` +
        `<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
    );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const plain = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {};
