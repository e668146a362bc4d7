import type { Validator } from './validator.ts';
import { refuse } from './validator.ts';

/**
 * The methods that ask the user for a second factor. A refresh-token exchange is made by the app, with
 * no user at a browser to answer a challenge (docs/actions.md#what-runs-on-a-refresh-token-exchange):
 * there the call fails the run, as Auth0's exchange fails when a post-login action asks for MFA. The
 * password grant keeps its own answer (`mfa_required`); `api.multifactor.enable('none')` removes a
 * requirement and is accepted everywhere.
 */
const ASKS_THE_USER = new Set([
  'multifactor.enable',
  'authentication.challengeWith',
  'authentication.challengeWithAny',
  'authentication.enrollWith',
  'authentication.enrollWithAny',
]);

const REFRESH = 'oauth2-refresh-token';

/** `validator`, refusing on a refresh-token exchange when the method would ask the user for a factor. */
export function refusedOnRefresh(method: string, validator: Validator): Validator {
  if (!ASKS_THE_USER.has(method)) return validator;
  return (args, state) => {
    if (state.context.protocol !== REFRESH) return validator(args, state);
    if (method === 'multifactor.enable' && args[0] === 'none') return validator(args, state);
    return refuse(
      `api.${method} cannot be used in a refresh token exchange (event.transaction.protocol is "${REFRESH}"): there is no user present to answer a challenge; check the protocol first`,
    );
  };
}
