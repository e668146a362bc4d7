import type { PostLoginOutcome, PostLoginPort } from '@tessera/core';
import type { Storage, User } from '@tessera/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { recordLoginOutcome } from '../audit-events.ts';
import { tenantSettings } from '../tenant-settings.ts';
import { finish } from './interaction-context.ts';

/**
 * After the user proved who they are: update login stats, ask the post-login port for an outcome
 * (docs/architecture.md#how-a-login-flows), then finish the interaction with the login and that outcome, or
 * with the denial the app will receive.
 */
export async function completeLogin(
  deps: { storage: Storage; postLogin: PostLoginPort },
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: { uid: string; params: Record<string, unknown> },
  authenticated: User,
  amr: string[],
) {
  const tenantId = request.tenant.id;
  const user = await deps.storage.users.recordLogin(tenantId, authenticated.user_id, {
    ip: request.ip,
    at: new Date(),
  });
  const outcome = await deps.postLogin.run({
    tenantId,
    userId: user.user_id,
    clientId: String(interaction.params.client_id),
    protocol: 'oidc-basic-profile',
    requestedScopes: String(interaction.params.scope ?? '')
      .split(' ')
      .filter(Boolean),
    audience: interaction.params.audience as string | undefined,
    redirectUri: interaction.params.redirect_uri as string | undefined,
    ip: request.ip,
    id: interaction.uid,
    request: {
      hostname: request.hostname.replace(/:\d+$/, ''),
      method: request.method,
      userAgent: request.headers['user-agent'],
      language: request.headers['accept-language']?.split(',')[0]?.trim(),
      body: formWithoutCredentials(request.body),
    },
    params: interaction.params,
    authenticationMethods: amr.map((name) => ({ name, timestamp: new Date() })),
    interactionUid: interaction.uid,
    login: { amr },
    actionSettings: tenantSettings(request.tenant).actions,
  });
  const answer = await applyOutcome(provider, request, reply, outcome, { accountId: user.user_id, amr });
  // After the interaction finished: a login whose finish failed is not recorded as one.
  recordLoginOutcome(deps.storage, request, {
    userId: user.user_id,
    clientId: String(interaction.params.client_id),
    outcome,
    user,
  });
  return answer;
}

/**
 * Ends the interaction as the trigger decided: the app's callback with the denial, the page an action
 * sent the user to (the interaction stays open for `/continue`), or the login with the trigger's claims
 * and scopes. `login` is set when this interaction authenticated the user; an SSO login resumed after
 * a redirect has a session already and finishes with the trigger's outcome only.
 */
export async function applyOutcome(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: PostLoginOutcome,
  login: { accountId: string; amr: string[] } | undefined,
) {
  if (outcome.kind === 'deny') {
    return finish(provider, request, reply, { error: outcome.error, error_description: outcome.description });
  }
  if (outcome.kind === 'redirect') return reply.redirect(outcome.url, 303);
  const { kind: _kind, ...extras } = outcome;
  return finish(provider, request, reply, {
    ...(login === undefined ? {} : { login: { ...login, remember: true } }),
    tessera: extras,
  });
}

/**
 * The login or sign-up form as `event.request.body` shows it: never the password or the CSRF token
 * (the event builder removes credentials too; this keeps them out of everything the trigger holds).
 */
function formWithoutCredentials(body: unknown): Record<string, unknown> {
  const form = { ...(body as Record<string, unknown> | undefined) };
  for (const name of Object.keys(form)) if (/password|^_csrf$/i.test(name)) delete form[name];
  return form;
}
