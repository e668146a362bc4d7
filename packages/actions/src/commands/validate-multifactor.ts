import { oneOf, optionalBoolean, optionalObject } from './checks.ts';
import type { MultifactorProvider } from './types.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/** Auth0: "Allowed values: duo, none, guardian, google-authenticator, any". */
const PROVIDERS: readonly MultifactorProvider[] = ['any', 'duo', 'none', 'guardian', 'google-authenticator'];

/** `api.multifactor.enable(provider, { allowRememberBrowser })`; remembering is off unless asked for. */
const enable: Validator = ([provider, options]) => {
  const problem =
    oneOf(provider, PROVIDERS, 'api.multifactor.enable: provider') ??
    optionalObject(options, 'api.multifactor.enable: options') ??
    optionalBoolean(
      (options as { allowRememberBrowser?: unknown } | undefined)?.allowRememberBrowser,
      'api.multifactor.enable: options.allowRememberBrowser',
    );
  if (problem !== undefined) return refuse(problem);
  const allowRememberBrowser = (options as { allowRememberBrowser?: boolean } | undefined)
    ?.allowRememberBrowser;
  return accept({
    type: 'multifactor.enable',
    provider: provider as MultifactorProvider,
    allowRememberBrowser: allowRememberBrowser ?? false,
  });
};

export const multifactorValidators: Record<string, Validator> = { 'multifactor.enable': enable };
