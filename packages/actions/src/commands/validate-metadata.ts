import { propertyKey } from './checks.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

type MetadataType = 'user.setAppMetadata' | 'user.setUserMetadata' | 'transaction.setMetadata';

/**
 * `setAppMetadata / setUserMetadata / transaction.setMetadata(key, value)`: a top-level key
 * (Auth0: "works only with metadata that are in the object format") and any JSON value. `null`
 * removes the key; `undefined` does too, because that is what the value becomes once serialised.
 */
function setMetadata(type: MetadataType): Validator {
  return ([key, value]) => {
    const problem = propertyKey(key, `api.${type}: key`);
    if (problem !== undefined) return refuse(problem);
    return accept({ type, key: key as string, value: value === undefined ? null : value });
  };
}

export const metadataValidators: Record<string, Validator> = {
  'user.setAppMetadata': setMetadata('user.setAppMetadata'),
  'user.setUserMetadata': setMetadata('user.setUserMetadata'),
  'transaction.setMetadata': setMetadata('transaction.setMetadata'),
};
