import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { ConflictError, InvalidRequestError, type PostLoginPort, type SignupError } from '@tessera/core';
import { MAX_PASSWORD_LENGTH, PASSWORD_MIN_LENGTH } from '@tessera/storage';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tenantSettings } from '../tenant-settings.ts';
import { retryAfterSeconds, signupLimitFor, type Throttle } from '../throttle.ts';
import { completeLogin } from './complete-login.ts';
import { formRoute, pageRoute, signupBody } from './form-fields.ts';
import {
  checkCsrf,
  csrfFor,
  type InteractionDeps,
  loadInteraction,
  pageBase,
} from './interaction-context.ts';

/** Auth0's default password policy ("fair") asks for at least 8 characters. */

/** Sign-up with email and password, when the tenant enables it (`settings.signup_enabled`). */
export async function signupRoutes(
  fastify: FastifyInstance,
  deps: InteractionDeps & { postLogin: PostLoginPort; throttle: Throttle },
) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    uid: string,
    uiLocales: unknown,
    state: { email?: string; error?: SignupError },
    status = 200,
  ) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        deps.pages.signup({
          ...pageBase(deps, request, uiLocales as string | undefined),
          action: `/u/signup?state=${encodeURIComponent(uid)}`,
          csrfToken: csrfFor(deps.storage, uid),
          loginUrl: `/u/login?state=${encodeURIComponent(uid)}`,
          email: state.email,
          error: state.error,
          passwordMinLength: PASSWORD_MIN_LENGTH,
        }),
      );

  app.get('/u/signup', pageRoute, async (request, reply) => {
    const { interaction } = await loadInteraction(deps, request, reply);
    if (!tenantSettings(request.tenant).signupEnabled)
      return reply.redirect(`/u/login?state=${interaction.uid}`, 303);
    return render(request, reply, interaction.uid, interaction.params.ui_locales, {});
  });

  app.post('/u/signup', formRoute(signupBody), async (request, reply) => {
    const { provider, interaction } = await loadInteraction(deps, request, reply);
    if (!tenantSettings(request.tenant).signupEnabled)
      return reply.redirect(`/u/login?state=${interaction.uid}`, 303);
    const { body } = request;
    checkCsrf(deps.storage, interaction.uid, body._csrf);
    const email = (body.email ?? '').trim().slice(0, 320);
    const waitMs = await deps.throttle.signupAttempt(
      request.tenant.id,
      request.ip,
      signupLimitFor(request.tenant, request.ip),
    );
    if (waitMs > 0) {
      reply.header('retry-after', String(retryAfterSeconds(waitMs)));
      return render(
        request,
        reply,
        interaction.uid,
        interaction.params.ui_locales,
        { email, error: 'too_many_attempts' },
        429,
      );
    }
    const password = body.password ?? '';
    if (password.length < PASSWORD_MIN_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      return render(
        request,
        reply,
        interaction.uid,
        interaction.params.ui_locales,
        { email, error: 'weak_password' },
        400,
      );
    }
    let user: Awaited<ReturnType<typeof deps.storage.users.create>>;
    try {
      user = await deps.storage.users.create(request.tenant.id, { email, password });
    } catch (error) {
      const failure =
        error instanceof ConflictError
          ? 'email_taken'
          : error instanceof InvalidRequestError
            ? 'invalid_email'
            : undefined;
      if (!failure) throw error;
      const status = failure === 'email_taken' ? 409 : 400;
      return render(
        request,
        reply,
        interaction.uid,
        interaction.params.ui_locales,
        { email, error: failure },
        status,
      );
    }
    // Outside the try: a failure after the account exists must not read as "email taken".
    return completeLogin(deps, provider, request, reply, interaction, user, ['pwd']);
  });
}
