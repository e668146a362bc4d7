import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { type GrantExtras, grantExtrasOf, type LoginResultExtras } from '../grant-extras.ts';
import { consentBody, formRoute, pageRoute } from './form-fields.ts';
import {
  checkCsrf,
  csrfFor,
  finish,
  type InteractionDeps,
  loadInteraction,
  pageBase,
} from './interaction-context.ts';

/**
 * Consent for third-party clients (first-party clients never see it, see grant-extras.ts). Approving
 * grants exactly the scopes and claims the provider reported missing; denying ends the flow with
 * `access_denied` at the app.
 */
export async function consentRoutes(fastify: FastifyInstance, deps: InteractionDeps) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  app.get('/u/consent', pageRoute, async (request, reply) => {
    const { provider, interaction } = await loadInteraction(deps, request, reply);
    if (interaction.prompt.name !== 'consent')
      return reply.redirect(`/u/login?state=${interaction.uid}`, 303);
    const client = await provider.Client.find(String(interaction.params.client_id));
    // First-party apps never show a consent screen (Auth0); they get here only when the request
    // carried prompt=consent (see offline-access.ts), so the consent is recorded without asking.
    if ((client as { is_first_party?: boolean } | undefined)?.is_first_party) {
      return finish(provider, request, reply, {
        consent: { grantId: await grantConsent(provider, interaction) },
      });
    }
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    // API scopes are shown with the API's own description (pages/consent.ts falls back to the name).
    const descriptions = new Map<string, string>();
    for (const indicator of Object.keys(details.missingResourceScopes ?? {})) {
      const api = await deps.storage.resourceServers.findByIdentifier(request.tenant.id, indicator);
      for (const scope of api?.scopes ?? []) descriptions.set(scope.value, scope.description);
    }
    const scopes = [
      ...new Set([
        ...(details.missingOIDCScope ?? []),
        ...Object.values(details.missingResourceScopes ?? {}).flat(),
      ]),
    ].map((value) => ({ value, description: descriptions.get(value) }));
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        deps.pages.consent({
          ...pageBase(deps, request, interaction.params.ui_locales as string | undefined),
          action: `/u/consent?state=${encodeURIComponent(interaction.uid)}`,
          csrfToken: csrfFor(deps.storage, interaction.uid),
          clientName: client?.clientName ?? String(interaction.params.client_id),
          scopes,
          audience: interaction.params.audience as string | undefined,
        }),
      );
  });

  app.post('/u/consent', formRoute(consentBody), async (request, reply) => {
    const { provider, interaction } = await loadInteraction(deps, request, reply);
    const { body } = request;
    checkCsrf(deps.storage, interaction.uid, body._csrf);
    if (interaction.prompt.name !== 'consent')
      return reply.redirect(`/u/login?state=${interaction.uid}`, 303);
    if (body.action !== 'accept') {
      return finish(provider, request, reply, {
        error: 'access_denied',
        error_description: 'The user did not consent.',
      });
    }
    const grantId = await grantConsent(provider, interaction);
    return finish(provider, request, reply, { consent: { grantId } });
  });
}

async function grantConsent(
  provider: Provider,
  interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
) {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant =
    (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
    (await newGrant(provider, interaction));
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  // The post-login outcome of this login travels with the grant, as for first-party clients.
  const extras = (interaction.lastSubmission as { tessera?: LoginResultExtras } | undefined)?.tessera;
  // Only the grant's part: the session requests are applied to the session by the resumed authorization.
  if (extras) (grant as unknown as { tessera: GrantExtras }).tessera = grantExtrasOf(extras);
  return grant.save();
}

async function newGrant(
  provider: Provider,
  interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
) {
  // The client goes with the grant: its lifetime (configuration ttl.Grant) depends on the client's
  // refresh-token settings, and this save runs outside oidc-provider's request context.
  const grant = new provider.Grant({
    accountId: interaction.session!.accountId,
    clientId: String(interaction.params.client_id),
  });
  // oidc-provider's setter (BaseToken#client): the grant's lifetime reads it (configuration.ts ttl.Grant).
  (grant as unknown as { client: unknown }).client = await provider.Client.find(grant.clientId!);
  return grant;
}
