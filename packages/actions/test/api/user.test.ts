import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from '../runtime/helpers.ts';
import { ACTION, assertCompleted, assertRefused, messages, recorded, runBody } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.user.setAppMetadata', () => {
  test('records the change and updates event.user.app_metadata at once', async () => {
    const result = await runBody(
      fixture,
      `api.user.setAppMetadata('roles', ['admin']);
       console.log(JSON.stringify(event.user.app_metadata));`,
    );
    assertCompleted(result, recorded({ type: 'user.setAppMetadata', key: 'roles', value: ['admin'] }));
    assert.deepEqual(messages(result), ['{"plan":"pro","customer_id":"cus_4f2a9c","roles":["admin"]}']);
  });

  test('null removes the key, from the event too', async () => {
    const result = await runBody(
      fixture,
      `api.user.setAppMetadata('plan', null);
       console.log(JSON.stringify(event.user.app_metadata), 'plan' in event.user.app_metadata);`,
    );
    assertCompleted(result, recorded({ type: 'user.setAppMetadata', key: 'plan', value: null }));
    assert.deepEqual(messages(result), ['{"customer_id":"cus_4f2a9c"} false']);
  });

  test('later actions see the new value', async () => {
    const result = await fixture.run([
      action(handler(`api.user.setAppMetadata('plan', 'enterprise');`), { name: ACTION }),
      action(handler(`console.log(event.user.app_metadata.plan);`), { name: 'later' }),
    ]);
    assert.deepEqual(messages(result), ['enterprise']);
  });

  test('a reserved key fails the action and leaves the event alone; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.user.setAppMetadata('__proto__', { isAdmin: true })`,
      'api.user.setAppMetadata: key "__proto__" is a reserved JavaScript property name and cannot be used',
    );
    const result = await runBody(
      fixture,
      `try { api.user.setAppMetadata('__proto__', { isAdmin: true }); } catch {}
       console.log(event.user.app_metadata.isAdmin, ({}).isAdmin);`,
    );
    assert.deepEqual(messages(result), ['undefined undefined']);
  });
});

describe('api.user.setUserMetadata', () => {
  test('records the change and updates event.user.user_metadata at once', async () => {
    const result = await runBody(
      fixture,
      `api.user.setUserMetadata('preferences', { newsletter: false })
         .user.setUserMetadata('theme', null);
       console.log(JSON.stringify(event.user.user_metadata));`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'user.setUserMetadata', key: 'preferences', value: { newsletter: false } },
        { type: 'user.setUserMetadata', key: 'theme', value: null },
      ),
    );
    assert.deepEqual(messages(result), ['{"preferred_language":"en","preferences":{"newsletter":false}}']);
  });

  test('a key that is not a string fails the action', async () => {
    await assertRefused(
      fixture,
      `api.user.setUserMetadata(7, 'x')`,
      'api.user.setUserMetadata: key must be a non-empty string (got a number)',
    );
  });

  test('works destructured', async () => {
    const result = await runBody(
      fixture,
      `const { setUserMetadata, setAppMetadata } = api.user;
       setUserMetadata('a', 1); setAppMetadata('b', 2);
       console.log(event.user.user_metadata.a, event.user.app_metadata.b);`,
    );
    assertCompleted(
      result,
      recorded(
        { type: 'user.setUserMetadata', key: 'a', value: 1 },
        { type: 'user.setAppMetadata', key: 'b', value: 2 },
      ),
    );
    assert.deepEqual(messages(result), ['1 2']);
  });
});
