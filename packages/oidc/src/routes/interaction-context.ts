import {
  AccessDeniedError,
  InvalidRequestError,
  type LoginPages,
  ServiceUnavailableError,
} from '@tessera/core';
import type { Storage } from '@tessera/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import type Provider from 'oidc-provider';
import type { TenantProviders } from '../providers.ts';
import type { stateQuery } from './form-fields.ts';

export interface InteractionDeps {
  providers: TenantProviders;
  storage: Storage;
  pages: LoginPages;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The interaction a request belongs to. oidc-provider finds it through the interaction cookie only;
 * the `state` in the URL must name the same interaction, or a page opened for one flow could finish
 * another (docs/security.md#18: a flow started in one browser cannot be finished in another, whose cookie
 * names a different interaction or none).
 */
export async function loadInteraction(
  deps: InteractionDeps,
  request: FastifyRequest & { query: FromSchema<typeof stateQuery> },
  reply: FastifyReply,
) {
  const provider = await deps.providers.get(request.tenant);
  const { state } = request.query;
  // A page opened on its own (a bookmark, a shared or typed link): nothing was started in this
  // browser, so the person is told where a login starts instead of being shown a protocol error.
  if (!state || !hasCookie(request, provider.cookieName('interaction'))) {
    throw new InvalidRequestError(NO_LOGIN_IN_PROGRESS);
  }
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(request.raw, reply.raw);
  } catch (error) {
    // A store that is down is not an expired login: it answers 503, and the same page works later.
    if (error instanceof ServiceUnavailableError) throw error;
    throw new AccessDeniedError(
      'This login session has expired or belongs to another browser. Start again from the application.',
    );
  }
  if (interaction.uid !== state) {
    throw new AccessDeniedError(
      'This login session has expired or belongs to another browser. Start again from the application.',
    );
  }
  return { provider, interaction };
}

const NO_LOGIN_IN_PROGRESS =
  'This page is a step of signing in to an application and cannot be opened on its own, for example from a bookmark. Open the application and sign in from there.';

function hasCookie(request: FastifyRequest, name: string): boolean {
  const header = request.headers.cookie ?? '';
  return header.split(';').some((pair) => pair.trim().startsWith(`${name}=`));
}

/** A CSRF token bound to the interaction: an HMAC under the master key, the same on every process. */
export const csrfFor = (storage: Storage, uid: string) => storage.secretBox.hash(uid, 'interaction_csrf');

export function checkCsrf(storage: Storage, uid: string, presented: unknown) {
  if (typeof presented !== 'string' || !storage.secretBox.verify(uid, presented, 'interaction_csrf')) {
    throw new AccessDeniedError('The form has expired. Go back and try again.');
  }
}

export function pageBase(deps: InteractionDeps, request: FastifyRequest, uiLocales?: string) {
  return {
    locale: deps.pages.negotiateLocale(uiLocales, request.headers['accept-language']),
    tenantName: request.tenant.friendlyName ?? request.tenant.name,
    assetsPath: '/u/assets',
  };
}

/** Finishes the interaction and sends the browser back to the provider's resume URL. */
export async function finish(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  result: Record<string, unknown>,
) {
  const returnTo = await provider.interactionResult(request.raw, reply.raw, result, {
    mergeWithLastSubmission: true,
  });
  return reply.redirect(returnTo, 303);
}
