import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { PostLoginPort } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordLoginBlock, recordLoginFailure } from '../audit-events.ts';
import { checkPassword, normalizeTyped } from '../password-check.ts';
import { tenantSettings } from '../tenant-settings.ts';
import { retryAfterSeconds, type Throttle } from '../throttle.ts';
import { completeLogin } from './complete-login.ts';
import { formRoute, loginBody, pageRoute } from './form-fields.ts';
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
 * path through an argon2id verification and answer the same page (docs/security.md#20). The check and
 * its brute-force protection (#41–#43) are password-check.ts's, shared with the password grant.
 */
export async function loginRoutes(fastify: FastifyInstance, deps: LoginDeps) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  app.get('/u/login', pageRoute, async (request, reply) => {
    const { interaction } = await loadInteraction(deps, request, reply);
    if (interaction.prompt.name === 'consent')
      return reply.redirect(`/u/consent?state=${interaction.uid}`, 303);
    return renderLogin(deps, request, reply, interaction, {
      identifier: interaction.params.login_hint as string | undefined,
    });
  });

  app.post('/u/login', formRoute(loginBody), async (request, reply) => {
    const { provider, interaction } = await loadInteraction(deps, request, reply);
    const { body } = request;
    checkCsrf(deps.storage, interaction.uid, body._csrf);
    const identifier = normalizeTyped(body.username ?? '');
    const password = body.password ?? '';

    const check = await checkPassword(deps, {
      tenantId: request.tenant.id,
      settings: request.tenant.settings,
      identifier,
      password,
      ip: request.ip,
    });
    // Auth0 says the account is blocked (for this IP), with no end to wait for; a throttled IP
    // learns when to retry.
    if (check.kind === 'ip_blocked')
      return renderLogin(deps, request, reply, interaction, { identifier, error: 'blocked' }, 429);
    if (check.kind === 'throttled') {
      const refusal = {
        identifier,
        error: 'too_many_attempts' as const,
        retryAfterSeconds: retryAfterSeconds(check.retryAfterMs),
      };
      return renderLogin(deps, request, reply, interaction, refusal, 429);
    }
    const clientId = String(interaction.params.client_id);
    if (check.kind === 'invalid') {
      const { user } = check;
      if (check.blockBegan) recordLoginBlock(deps.storage, request, { clientId, identifier, user });
      recordLoginFailure(
        deps.storage,
        request,
        user ? { type: 'fp', clientId, identifier, user } : { type: 'fu', clientId, identifier },
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
    if (check.kind === 'user_blocked') {
      recordLoginFailure(deps.storage, request, {
        type: 'f',
        clientId,
        identifier,
        user: check.user,
        description: 'user is blocked',
      });
      return renderLogin(deps, request, reply, interaction, { identifier, error: 'blocked' }, 403);
    }

    return completeLogin(deps, provider, request, reply, interaction, check.user, ['pwd']);
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
