import type { PostLoginPort } from '@tessera/core';
import type { Storage, User } from '@tessera/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { finish } from './interaction-context.ts';

/**
 * After the user proved who they are: update login stats, ask the post-login port for an outcome
 * (DESIGN.md "How a login flows"), then finish the interaction with the login and that outcome, or
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
    },
    params: interaction.params,
    authenticationMethods: amr.map((name) => ({ name, timestamp: new Date() })),
  });
  if (outcome.kind === 'deny') {
    return finish(provider, request, reply, { error: outcome.error, error_description: outcome.description });
  }
  const { kind: _kind, ...extras } = outcome;
  return finish(provider, request, reply, {
    login: { accountId: user.user_id, amr, remember: true },
    tessera: extras,
  });
}
