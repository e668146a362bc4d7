import type { PostLoginPort } from '@tessera/core';
import { dummyVerify, MAX_PASSWORD_LENGTH, verifyPassword } from '@tessera/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordLoginBlock, recordLoginFailure } from '../audit-events.ts';
import { tenantSettings } from '../tenant-settings.ts';
import { retryAfterSeconds, type Throttle } from '../throttle.ts';
import { completeLogin } from './complete-login.ts';
import {
  checkCsrf,
  csrfFor,
  type InteractionDeps,
  loadInteraction,
  pageBase,
} from './interaction-context.ts';

export interface LoginDeps extends InteractionDeps {
  throttle: Throttle;
  postLogin: PostLoginPort;
}

type LoginError = 'invalid_credentials' | 'too_many_attempts' | 'blocked';

/**
 * Universal login: `/u/login?state=<interaction uid>`. Unknown user and wrong password take the same
 * path through an argon2id verification and answer the same page (docs/security.md#20). Each attempt
 * reserves its place against the brute-force limits before the password is checked (#41), counted per
 * tenant and per resolved user from that IP (#42, #43).
 */
export async function loginRoutes(app: FastifyInstance, deps: LoginDeps) {
  app.get('/u/login', async (request, reply) => {
    const { interaction } = await loadInteraction(deps, request, reply);
    if (interaction.prompt.name === 'consent')
      return reply.redirect(`/u/consent?state=${interaction.uid}`, 303);
    return renderLogin(deps, request, reply, interaction, {
      identifier: interaction.params.login_hint as string | undefined,
    });
  });

  app.post('/u/login', async (request, reply) => {
    const { provider, interaction } = await loadInteraction(deps, request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    checkCsrf(deps.storage, interaction.uid, body._csrf);
    const identifier = typeof body.username === 'string' ? body.username.trim().slice(0, 320) : '';
    const password = typeof body.password === 'string' ? body.password : '';

    const tenantId = request.tenant.id;
    const found = identifier ? await deps.storage.users.findForLogin(tenantId, identifier) : undefined;
    // The email and the username of one account share its count; an unknown identifier is counted
    // like a known one, so neither a block nor its absence tells whether the account exists.
    const verdict = await deps.throttle.reserve(
      found ? { tenantId, userId: found.user.user_id } : { tenantId, identifier },
      request.ip,
    );
    if (!verdict.allowed) {
      // Auth0 says the account is blocked (for this IP), with no end to wait for; a throttled IP
      // learns when to retry.
      const refusal =
        verdict.reason === 'blocked'
          ? { identifier, error: 'blocked' as const }
          : {
              identifier,
              error: 'too_many_attempts' as const,
              retryAfterSeconds: retryAfterSeconds(verdict.retryAfterMs),
            };
      return renderLogin(deps, request, reply, interaction, refusal, 429);
    }
    // Every failure costs one argon2id verification, so timing does not tell an unknown account
    // from a wrong password; an over-long password can never match (it could not have been set).
    const acceptable = password.length > 0 && password.length <= MAX_PASSWORD_LENGTH;
    let valid = false;
    if (found && acceptable) valid = await verifyPassword(password, found.passwordHash);
    else await dummyVerify(password.slice(0, MAX_PASSWORD_LENGTH));
    const clientId = String(interaction.params.client_id);
    if (!found || !valid) {
      if (await verdict.attempt.failed(identifier))
        recordLoginBlock(deps.storage, request, { clientId, identifier, user: found?.user });
      recordLoginFailure(
        deps.storage,
        request,
        found ? { type: 'fp', clientId, identifier, user: found.user } : { type: 'fu', clientId, identifier },
      );
      return renderLogin(
        deps,
        request,
        reply,
        interaction,
        { identifier, error: 'invalid_credentials' },
        400,
      );
    }
    // The password was right: this attempt is no failed guess, whatever follows.
    await verdict.attempt.succeeded();
    if (found.user.blocked) {
      recordLoginFailure(deps.storage, request, {
        type: 'f',
        clientId,
        identifier,
        user: found.user,
        description: 'user is blocked',
      });
      return renderLogin(deps, request, reply, interaction, { identifier, error: 'blocked' }, 403);
    }

    return completeLogin(deps, provider, request, reply, interaction, found.user, ['pwd']);
  });
}

async function renderLogin(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: { uid: string; params: Record<string, unknown> },
  state: { identifier?: string; error?: LoginError; retryAfterSeconds?: number },
  status = 200,
) {
  const settings = tenantSettings(request.tenant);
  // "Log in to <tenant> to continue to <app>", as Auth0's page says.
  // The provider's client lookup is cached; the page needs only the name.
  const provider = await deps.providers.get(request.tenant);
  const client = await provider.Client.find(String(interaction.params.client_id));
  if (state.retryAfterSeconds) reply.header('retry-after', String(state.retryAfterSeconds));
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      deps.pages.login({
        ...pageBase(deps, request, interaction.params.ui_locales as string | undefined),
        action: `/u/login?state=${encodeURIComponent(interaction.uid)}`,
        csrfToken: csrfFor(deps.storage, interaction.uid),
        identifier: state.identifier,
        clientName: client?.clientName,
        error: state.error,
        retryAfterSeconds: state.retryAfterSeconds,
        signupUrl: settings.signupEnabled
          ? `/u/signup?state=${encodeURIComponent(interaction.uid)}`
          : undefined,
      }),
    );
}
