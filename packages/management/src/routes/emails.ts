import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError, inexistent } from '../errors.ts';
import { FIELDS_ONLY } from '../query.ts';
import { EMPTY_OBJECT, NO_CONTENT } from '../responses.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

/** Tessera has no provider and no template: these routes never answer with content. */
const NOTHING = { 200: EMPTY_OBJECT } as const;

/** Auth0's email template names (`/email-templates/{templateName}`). */
const TEMPLATES = [
  'verify_email',
  'verify_email_by_code',
  'reset_email',
  'reset_email_by_code',
  'welcome_email',
  'blocked_account',
  'stolen_credentials',
  'enrollment_email',
  'mfa_oob_code',
  'user_invitation',
  'change_password',
  'password_reset',
  'async_approval',
] as const;

const NO_MAIL = 'Tessera sends no email';
const refuse = (what: string) => async () => {
  throw featureNotEnabled(`${what} not available in Tessera: it sends no email`);
};
const TEMPLATE_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['templateName'],
  properties: { templateName: { type: 'string', enum: [...TEMPLATES] } },
} as const;

/**
 * Auth0's email provider and templates. Tessera sends no email, so no provider is configured (404, as
 * Auth0 answers a tenant without one) and every template is inexistent (404, as Auth0 answers one
 * never set); Auth0's deploy CLI reads both as "none". Configuring either is refused.
 */
export function emailRoutes(api: ManagementApi, _deps: ManagementDeps): void {
  api.get(
    '/emails/provider',
    {
      config: { scopes: ['read:email_provider'] },
      schema: {
        querystring: FIELDS_ONLY,
        response: NOTHING,
      },
    },
    async () => {
      throw new ApiError(404, 'inexistent_email_provider', `No email provider is configured: ${NO_MAIL}.`);
    },
  );
  for (const [method, scope] of [
    ['POST', 'create'],
    ['PATCH', 'update'],
  ] as const) {
    api.route({
      method,
      url: '/emails/provider',
      config: { scopes: [`${scope}:email_provider`], audit: `${method} the email provider` },
      schema: { body: ANY_BODY, response: NOTHING },
      handler: refuse('An email provider is'),
    });
  }
  api.delete(
    '/emails/provider',
    {
      config: { scopes: ['delete:email_provider'], audit: 'Delete the email provider' },
      schema: { response: NO_CONTENT },
    },
    async () => {
      throw new ApiError(404, 'inexistent_email_provider', 'No email provider is configured.');
    },
  );

  api.get(
    '/email-templates/:templateName',
    {
      config: { scopes: ['read:email_templates'] },
      schema: { params: TEMPLATE_PARAMS, response: NOTHING },
    },
    async () => {
      throw inexistent('email_template', `The template does not exist: ${NO_MAIL}.`);
    },
  );
  api.post(
    '/email-templates',
    {
      config: { scopes: ['create:email_templates'], audit: 'Create an email template' },
      schema: { body: ANY_BODY, response: NOTHING },
    },
    refuse('Email templates are'),
  );
  for (const method of ['PUT', 'PATCH'] as const) {
    api.route({
      method,
      url: '/email-templates/:templateName',
      config: { scopes: ['update:email_templates'], audit: 'Update an email template' },
      schema: { params: TEMPLATE_PARAMS, body: ANY_BODY, response: NOTHING },
      handler: refuse('Email templates are'),
    });
  }
}
