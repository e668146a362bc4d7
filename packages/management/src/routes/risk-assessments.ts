import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { EMPTY_OBJECT } from '../responses.ts';
import { ENABLED, ENABLED_BODY } from './guardian.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

const READ = { scopes: ['read:attack_protection'] };
const UPDATE = (audit: string) => ({ scopes: ['update:attack_protection'], audit });

/**
 * Auth0's risk assessment (`/risk-assessments/settings`) and supplemental signals, which Tessera does
 * not have. Reading the settings answers 404, which Auth0's deploy CLI exports as
 * `riskAssessment: { settings: { enabled: false } }`; writing that back (the import of such an export)
 * is accepted, since it asks for the state Tessera is in. Anything that would turn an assessor on is
 * refused. Supplemental signals answer 403 as for an Auth0 tenant without them, which the CLI skips.
 */
export function riskAssessmentRoutes(api: ManagementApi, _deps: ManagementDeps): void {
  const absent = async () => {
    throw new ApiError(404, 'not_found', 'Risk assessment is not available in Tessera.');
  };
  // These never answer with content (the reads answer 404, the writes refuse): NOTHING says so.
  const NOTHING = { response: { 200: EMPTY_OBJECT } };
  api.get('/risk-assessments/settings', { config: READ, schema: NOTHING }, absent);
  api.get('/risk-assessments/settings/new-device', { config: READ, schema: NOTHING }, absent);

  api.patch(
    '/risk-assessments/settings',
    {
      config: UPDATE('Update risk assessment settings'),
      schema: { body: ENABLED_BODY, response: { 200: ENABLED } },
    },
    async (request) => {
      if (request.body.enabled) throw featureNotEnabled('Risk assessment is not available in Tessera');
      return { enabled: false };
    },
  );
  api.patch(
    '/risk-assessments/settings/new-device',
    { config: UPDATE('Update the new device assessor'), schema: { ...NOTHING, body: ANY_BODY } },
    async () => {
      throw featureNotEnabled('Risk assessment (the new device assessor) is not available in Tessera');
    },
  );

  const noSignals = async () => {
    throw featureNotEnabled('Supplemental signals are not available in Tessera');
  };
  api.get('/supplemental-signals', { config: READ, schema: NOTHING }, noSignals);
  api.patch(
    '/supplemental-signals',
    { config: UPDATE('Update supplemental signals'), schema: { ...NOTHING, body: ANY_BODY } },
    noSignals,
  );
}
