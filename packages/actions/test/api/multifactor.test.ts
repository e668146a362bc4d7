import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertCompleted, assertRefused, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.multifactor.enable', () => {
  test('records the provider; remembering the browser is off unless asked for', async () => {
    const result = await runBody(
      fixture,
      `api.multifactor.enable('any');
       api.multifactor.enable('duo', { allowRememberBrowser: true });`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'multifactor.enable', provider: 'any', allowRememberBrowser: false },
        { type: 'multifactor.enable', provider: 'duo', allowRememberBrowser: true },
      ),
    );
  });

  test('defers the challenge: later actions still run', async () => {
    const result = await fixture.run([
      action(handler(`api.multifactor.enable('guardian');`), { name: ACTION }),
      action(handler(`api.idToken.setCustomClaim('https://example.com/late', 1);`), { name: 'later' }),
    ]);
    assertCompleted(result, [
      ...recorded({ type: 'multifactor.enable', provider: 'guardian', allowRememberBrowser: false }),
      { action: 'later', type: 'idToken.setCustomClaim', key: 'https://example.com/late', value: 1 },
    ]);
  });

  test('an unknown provider fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.multifactor.enable('sms')`,
      'api.multifactor.enable: provider must be one of any, duo, none, guardian, google-authenticator (got "sms")',
    );
  });

  test('a non-boolean allowRememberBrowser fails the action', async () => {
    await assertRefused(
      fixture,
      `api.multifactor.enable('any', { allowRememberBrowser: 'yes' })`,
      'api.multifactor.enable: options.allowRememberBrowser must be a boolean (got a string)',
    );
  });
});
