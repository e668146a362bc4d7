import { refusedOnRefresh } from './no-user-present.ts';
import { accessValidators } from './validate-access.ts';
import { authenticationValidators } from './validate-authentication.ts';
import { metadataValidators } from './validate-metadata.ts';
import { multifactorValidators } from './validate-multifactor.ts';
import { promptValidators } from './validate-prompt.ts';
import { redirectValidators } from './validate-redirect.ts';
import { refreshTokenValidators } from './validate-refresh-token.ts';
import { samlValidators } from './validate-saml.ts';
import { sessionValidators } from './validate-session.ts';
import { tokenValidators } from './validate-tokens.ts';
import type { Validator } from './validator.ts';

/**
 * Every api method that records a command, by the name the sandbox stub sends. A Map, not an object
 * lookup: the method name comes from the isolate, and `table["__proto__"]` must not find anything.
 */
export const VALIDATORS: ReadonlyMap<string, Validator> = new Map(
  Object.entries({
    ...accessValidators,
    ...tokenValidators,
    ...authenticationValidators,
    ...multifactorValidators,
    ...redirectValidators,
    ...promptValidators,
    ...metadataValidators,
    ...samlValidators,
    ...refreshTokenValidators,
    ...sessionValidators,
  }).map(([method, validator]) => [method, refusedOnRefresh(method, validator)]),
);
