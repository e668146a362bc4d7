import { nonEmptyString, optionalObject } from './checks.ts';
import { readFactor, readFactors } from './factors.ts';
import { MAX_PRIMARY_USER_ID_CHARS } from './limits.ts';
import { httpUrl } from './urls.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/**
 * `challengeWith(factor, { additionalFactors })` / `enrollWith(…)`. An empty or absent
 * additionalFactors is fine (scripts often pass a filtered list); the default factor is required.
 */
function withFactor(type: 'authentication.challengeWith' | 'authentication.enrollWith'): Validator {
  const method = `api.${type}`;
  return ([factorArg, options]) => {
    const factor = readFactor(factorArg, `${method}: factor`);
    if (!factor.ok) return refuse(factor.message);
    const optionsProblem = optionalObject(options, `${method}: options`);
    if (optionsProblem !== undefined) return refuse(optionsProblem);
    const additional = (options as { additionalFactors?: unknown } | undefined)?.additionalFactors;
    if (additional === undefined) return accept({ type, factor: factor.factor, additionalFactors: [] });
    const read = readFactors(additional, `${method}: options.additionalFactors`, false);
    if (!read.ok) return refuse(read.message);
    return accept({ type, factor: factor.factor, additionalFactors: read.factors });
  };
}

/** `challengeWithAny(factors)` / `enrollWithAny(factors)`: the user picks, so there must be a choice. */
function withAny(type: 'authentication.challengeWithAny' | 'authentication.enrollWithAny'): Validator {
  return ([factorsArg]) => {
    const read = readFactors(factorsArg, `api.${type}: factors`, true);
    if (!read.ok) return refuse(read.message);
    return accept({ type, factors: read.factors });
  };
}

/**
 * Auth0: "This API is only available from within the onContinuePostLogin function": the method is
 * recorded after the user comes back from the custom method the action redirected to.
 */
const recordMethod: Validator = ([url], state) => {
  if (state.context.handler !== 'onContinuePostLogin') {
    return refuse('api.authentication.recordMethod can only be called in onContinuePostLogin');
  }
  const parsed = httpUrl(url, 'api.authentication.recordMethod: provider_url');
  if (!parsed.ok) return refuse(parsed.message);
  return accept({ type: 'authentication.recordMethod', url: parsed.url.href });
};

/** Auth0 limitations: "primary_user_id is limited to 128 characters", "can be called once per transaction". */
const setPrimaryUser: Validator = ([userId], state) => {
  const where = 'api.authentication.setPrimaryUser: primary_user_id';
  const problem = nonEmptyString(userId, where);
  if (problem !== undefined) return refuse(problem);
  const id = userId as string;
  if (id.length > MAX_PRIMARY_USER_ID_CHARS) {
    return refuse(`${where} is ${id.length} characters; the limit is ${MAX_PRIMARY_USER_ID_CHARS}`);
  }
  if (state.primaryUserSet)
    return refuse('api.authentication.setPrimaryUser can be called only once per transaction');
  state.primaryUserSet = true;
  return accept({ type: 'authentication.setPrimaryUser', userId: id });
};

export const authenticationValidators: Record<string, Validator> = {
  'authentication.challengeWith': withFactor('authentication.challengeWith'),
  'authentication.enrollWith': withFactor('authentication.enrollWith'),
  'authentication.challengeWithAny': withAny('authentication.challengeWithAny'),
  'authentication.enrollWithAny': withAny('authentication.enrollWithAny'),
  'authentication.recordMethod': recordMethod,
  'authentication.setPrimaryUser': setPrimaryUser,
};
