import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';
import type { ManagementDeps } from '../plugin.ts';

/** Auth0's MFA factor names (Guardian). Which ones a tenant enables decides what actions may challenge. */
export const MFA_FACTORS = [
  'sms',
  'push-notification',
  'otp',
  'email',
  'duo',
  'webauthn-roaming',
  'webauthn-platform',
  'recovery-code',
] as const;

/**
 * Auth0's `/guardian/factors`: the MFA factors a tenant offers, all off until enabled, as in a new
 * Auth0 tenant. Each is its own settings key (`guardian_factor:<name>`), so two admins switching
 * different factors at once cannot undo each other (the settings merge is per key).
 */
export function guardianRoutes(api: FastifyInstance, deps: ManagementDeps): void {
  api.get('/guardian/factors', { config: { scopes: ['read:guardian_factors'] } }, async (request) => {
    const tenant = (await deps.storage.tenants.findById(request.tenant.id)) ?? request.tenant;
    return MFA_FACTORS.map((name) => ({
      name,
      enabled: tenant.settings[factorKey(name)] === true,
      trial_expired: false,
    }));
  });

  api.put<{ Params: { name: string }; Body: { enabled: boolean } }>(
    '/guardian/factors/:name',
    {
      config: { scopes: ['update:guardian_factors'], audit: 'Update a Guardian factor' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          properties: { enabled: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!(MFA_FACTORS as readonly string[]).includes(name)) {
        throw new ApiError(
          404,
          'inexistent_factor',
          `The factor ${name.slice(0, 64)} does not exist; known factors: ${MFA_FACTORS.join(', ')}.`,
        );
      }
      const tenant = await deps.storage.tenants.updateSettings(request.tenant.id, {
        settings: { [factorKey(name)]: request.body.enabled },
      });
      return { enabled: tenant.settings[factorKey(name)] === true };
    },
  );
}

/** The settings key of a factor's switch (read by the MFA issue's enrollment and challenge). */
export const factorKey = (name: string) => `guardian_factor:${name}`;
