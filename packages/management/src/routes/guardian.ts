import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { arrayOf, BOOLEAN, object, STRING, STRINGS } from '../responses.ts';
import { featureNotEnabled } from './unavailable.ts';

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

/** The body of a switch (a factor, risk assessment): `{ "enabled": true | false }` and nothing else. */
export const ENABLED_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled'],
  properties: { enabled: { type: 'boolean' } },
} as const;

/**
 * Auth0's `/guardian/factors`: the MFA factors a tenant offers, all off until enabled, as in a new
 * Auth0 tenant. Each is its own settings key (`guardian_factor:<name>`), so two admins switching
 * different factors at once cannot undo each other (the settings merge is per key).
 */
export function guardianRoutes(api: ManagementApi, deps: ManagementDeps): void {
  guardianPolicyRoutes(api);
  api.get(
    '/guardian/factors',
    {
      config: { scopes: ['read:guardian_factors'] },
      schema: {
        response: { 200: arrayOf(object({ name: STRING, enabled: BOOLEAN, trial_expired: BOOLEAN })) },
      },
    },
    async (request) => {
      const tenant = (await deps.storage.tenants.findById(request.tenant.id)) ?? request.tenant;
      return MFA_FACTORS.map((name) => ({
        name,
        enabled: tenant.settings[factorKey(name)] === true,
        trial_expired: false,
      }));
    },
  );

  api.put(
    '/guardian/factors/:name',
    {
      config: { scopes: ['update:guardian_factors'], audit: 'Update a Guardian factor' },
      schema: {
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' } },
        },
        body: ENABLED_BODY,
        response: { 200: ENABLED },
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

/**
 * Auth0's `/guardian/policies`: when MFA is required of every login. Tessera has no tenant-wide policy
 * (`[]`, Auth0's "never"): MFA is asked for by post-login actions (`api.multifactor.enable`). A PUT of
 * `[]` says exactly that and is accepted (what Auth0's deploy CLI writes back); a policy is refused.
 */
export function guardianPolicyRoutes(api: ManagementApi): void {
  api.get(
    '/guardian/policies',
    { config: { scopes: ['read:mfa_policies'] }, schema: { response: { 200: STRINGS } } },
    async () => [],
  );
  api.put(
    '/guardian/policies',
    {
      config: { scopes: ['update:mfa_policies'], audit: 'Set the multi-factor authentication policies' },
      schema: {
        body: {
          type: 'array',
          uniqueItems: true,
          maxItems: 2,
          items: { type: 'string', enum: ['all-applications', 'confidence-score'] },
        },
        response: { 200: STRINGS },
      },
    },
    async (request) => {
      if (request.body.length > 0) {
        throw featureNotEnabled(
          `MFA policy ${JSON.stringify(request.body)} is not available in Tessera: post-login actions ask for MFA (api.multifactor.enable)`,
        );
      }
      return [];
    },
  );
}

/** The settings key of a factor's switch (read by the MFA issue's enrollment and challenge). */
/** The answer of a switch: its state after the change. */
export const ENABLED = object({ enabled: BOOLEAN });

export const factorKey = (name: string) => `guardian_factor:${name}`;
