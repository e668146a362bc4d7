import type { FastifyInstance } from 'fastify';
import { ApiError, inexistent } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

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
export function emailRoutes(api: FastifyInstance, _deps: ManagementDeps): void {
  api.get(
    '/emails/provider',
    {
      config: { scopes: ['read:email_provider'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { fields: { type: 'string', maxLength: 2048 }, include_fields: { type: 'boolean' } },
        },
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
      schema: { body: ANY_BODY },
      handler: refuse('An email provider is'),
    });
  }
  api.delete(
    '/emails/provider',
    { config: { scopes: ['delete:email_provider'], audit: 'Delete the email provider' } },
    async () => {
      throw new ApiError(404, 'inexistent_email_provider', 'No email provider is configured.');
    },
  );

  api.get(
    '/email-templates/:templateName',
    { config: { scopes: ['read:email_templates'] }, schema: { params: TEMPLATE_PARAMS } },
    async () => {
      throw inexistent('email_template', `The template does not exist: ${NO_MAIL}.`);
    },
  );
  api.post(
    '/email-templates',
    {
      config: { scopes: ['create:email_templates'], audit: 'Create an email template' },
      schema: { body: ANY_BODY },
    },
    refuse('Email templates are'),
  );
  for (const method of ['PUT', 'PATCH'] as const) {
    api.route({
      method,
      url: '/email-templates/:templateName',
      config: { scopes: ['update:email_templates'], audit: 'Update an email template' },
      schema: { params: TEMPLATE_PARAMS, body: ANY_BODY },
      handler: refuse('Email templates are'),
    });
  }
}
