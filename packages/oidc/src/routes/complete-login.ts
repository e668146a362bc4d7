import type { PostLoginOutcome, PostLoginPort } from '@tessera/core';
import type { Storage, User } from '@tessera/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { recordLoginOutcome } from '../audit-events.ts';
import type { LoginResultExtras } from '../grant-extras.ts';
import {
  describeSession,
  findSession,
  newSessionId,
  plannedSession,
  revokeSession,
} from '../session-record.ts';
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
  interaction: { uid: string; params: Record<string, unknown>; session?: { uid?: string } },
  authenticated: User,
  amr: string[],
) {
  const tenantId = request.tenant.id;
  const user = await deps.storage.users.recordLogin(tenantId, authenticated.user_id, {
    ip: request.ip,
    at: new Date(),
  });
  const settings = tenantSettings(request.tenant);
  const clientId = String(interaction.params.client_id);
  // `event.session`: the browser's session when it has one (a new login on it, e.g. prompt=login),
  // else the one this login establishes, under the id it will be stored with.
  const existing = interaction.session?.uid
    ? await findSession(provider, interaction.session.uid)
    : undefined;
  const session =
    existing !== undefined && existing.accountId === user.user_id
      ? describeSession(existing)
      : plannedSession(
          newSessionId(),
          clientId,
          {
            ip: request.ip,
            ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
          },
          settings,
        );
  const outcome = await deps.postLogin.run({
    tenantId,
    userId: user.user_id,
    clientId,
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
    actionSettings: settings.actions,
    session,
  });
  const answer = await applyOutcome(
    provider,
    request,
    reply,
    outcome,
    { accountId: user.user_id, amr },
    session.id,
  );
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
 * sent the user to (the interaction stays open for `/continue`), or the login with the trigger's claims,
 * scopes and session requests. `login` is set when this interaction authenticated the user; an SSO
 * login resumed after a redirect has a session already and finishes with the trigger's outcome only.
 * `sessionId` is the id `event.session` had: the browser's session, or the one this login establishes.
 */
export async function applyOutcome(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: PostLoginOutcome,
  login: { accountId: string; amr: string[] } | undefined,
  sessionId: string | undefined,
) {
  if (outcome.kind === 'deny') {
    // `api.session.revoke` on a login in a browser that has a session: that session ends. A session
    // this login would have established never comes to exist.
    const revoke = outcome.revoke?.session;
    const existing = revoke && sessionId ? await findSession(provider, sessionId) : undefined;
    if (revoke && existing) await revokeSession(provider, existing, revoke);
    return finish(provider, request, reply, { error: outcome.error, error_description: outcome.description });
  }
  if (outcome.kind === 'redirect') return reply.redirect(outcome.url, 303);
  const { kind: _kind, refreshToken: _refreshToken, ...extras } = outcome;
  const tessera: LoginResultExtras = { ...extras, ...(sessionId === undefined ? {} : { sessionId }) };
  return finish(provider, request, reply, {
    ...(login === undefined ? {} : { login: { ...login, remember: true } }),
    tessera,
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
