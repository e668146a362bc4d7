import { typeName } from './checks.ts';
import { checkReason } from './reason.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/** `api.access.deny(reason)`: the login fails with access_denied and `reason` as its description. */
const deny: Validator = ([reason], state) => {
  const problem = checkReason(reason, 'api.access.deny: reason', state);
  if (problem !== undefined) return problem;
  return accept({ type: 'access.deny', reason: reason as string });
};

/**
 * `api.validation.error(code, message)`: the app receives `error=<code>` and
 * `error_description=<message>`. An empty code would make an unreadable OAuth error, so it is refused.
 */
const validationError: Validator = ([code, message], state) => {
  if (typeof code !== 'string' || code === '') {
    const got = code === '' ? 'an empty string' : typeName(code);
    return refuse(`api.validation.error: errorCode must be a non-empty string (got ${got})`);
  }
  const codeProblem = checkReason(code, 'api.validation.error: errorCode', state);
  if (codeProblem !== undefined) return codeProblem;
  const messageProblem = checkReason(message, 'api.validation.error: errorMessage', state);
  if (messageProblem !== undefined) return messageProblem;
  return accept({ type: 'validation.error', code, message: message as string });
};

export const accessValidators: Record<string, Validator> = {
  'access.deny': deny,
  'validation.error': validationError,
};
