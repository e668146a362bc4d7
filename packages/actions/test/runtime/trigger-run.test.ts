import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { action, handler, useRuntime } from './helpers.ts';

const fixture = useRuntime();

describe('a trigger run', () => {
  test('records api calls as ordered commands across actions, each tagged with its action', async () => {
    const result = await fixture.run([
      action(
        handler(`api.idToken.setCustomClaim('https://a/role', 'admin'); api.accessToken.addScope('read:x');`),
        { name: 'first' },
      ),
      action(handler(`api.accessToken.setCustomClaim('https://a/n', 2);`), { name: 'second' }),
    ]);
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(result.commands, [
      { action: 'first', type: 'idToken.setCustomClaim', key: 'https://a/role', value: 'admin' },
      { action: 'first', type: 'accessToken.addScope', scope: 'read:x' },
      { action: 'second', type: 'accessToken.setCustomClaim', key: 'https://a/n', value: 2 },
    ]);
    assert.deepEqual(
      result.actions.map((a) => [a.name, a.handler, a.commands]),
      [
        ['first', 'onExecutePostLogin', 2],
        ['second', 'onExecutePostLogin', 1],
      ],
    );
  });

  test('metadata set by one action is visible in event.user at once and to later actions', async () => {
    const result = await fixture.run([
      action(
        handler(
          `api.user.setAppMetadata('plan', 'gold'); console.log('same action', event.user.app_metadata.plan);`,
        ),
        { name: 'a' },
      ),
      action(
        handler(
          `console.log('next action', event.user.app_metadata.plan); api.user.setUserMetadata('plan', null);`,
        ),
        { name: 'b' },
      ),
    ]);
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      result.logs.map((l) => [l.action, l.message]),
      [
        ['a', 'same action gold'],
        ['b', 'next action gold'],
      ],
    );
  });

  test('a deny stops the remaining actions after the current one finishes, and keeps its metadata changes', async () => {
    const result = await fixture.run([
      action(
        handler(
          `api.access.deny('no entry'); api.user.setAppMetadata('denied_at', 1); console.log('still running');`,
        ),
        { name: 'gate' },
      ),
      action(handler(`console.log('must not run');`), { name: 'later' }),
    ]);
    assert.equal(result.outcome, 'denied');
    assert.equal(result.outcome === 'denied' && result.denial.type, 'access.deny');
    assert.deepEqual(
      result.actions.map((a) => a.name),
      ['gate'],
    );
    assert.deepEqual(
      result.logs.map((l) => l.message),
      ['still running'],
    );
    assert.ok(result.commands.some((c) => c.type === 'user.setAppMetadata'));
  });

  test('a redirect pauses the run; resuming runs onContinuePostLogin, then the later actions', async () => {
    const first = action(`
      exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('https://consent.example.com/ask', { query: { lang: 'en' } }); };
      exports.onContinuePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://a/consented', true); };`);
    const second = action(handler(`api.idToken.setCustomClaim('https://a/after', true);`));
    const paused = await fixture.run([first, second]);
    assert.equal(paused.outcome, 'completed');
    assert.equal(paused.outcome === 'completed' && paused.pause?.type, 'redirect.sendUserTo');
    assert.equal(paused.actions.length, 1);
    const resumed = await fixture.run([first, second], { resume: { index: 0, state: 'st_1' } });
    assert.equal(resumed.outcome, 'completed');
    assert.deepEqual(
      resumed.actions.map((a) => a.handler),
      ['onContinuePostLogin', 'onExecutePostLogin'],
    );
    assert.deepEqual(
      resumed.commands.map((c) => c.type),
      ['idToken.setCustomClaim', 'idToken.setCustomClaim'],
    );
  });

  test('a thrown error fails the run with the action and the position in its code, and skips later actions', async () => {
    const result = await fixture.run([
      action(handler(`\n  null.x;`), { name: 'broken' }),
      action(handler(`console.log('never');`)),
    ]);
    assert.equal(result.outcome, 'failed');
    if (result.outcome !== 'failed') return;
    assert.equal(result.kind, 'runtime');
    assert.equal(result.action?.name, 'broken');
    assert.match(
      result.message,
      /^TypeError: Cannot read properties of null \(reading 'x'\) \(action\.js:3:\d+\)$/,
    );
    assert.equal(result.actions.length, 1);
  });

  test('a syntax error fails the run as kind syntax with line and column', async () => {
    const result = await fixture.run('exports.onExecutePostLogin = async (event, api) => {\n  let x = ;\n};');
    assert.equal(result.outcome, 'failed');
    assert.equal(result.outcome === 'failed' && result.kind, 'syntax');
    assert.match(
      result.outcome === 'failed' ? result.message : '',
      /^SyntaxError: Unexpected token ';' \(action\.js:2:\d+\)$/,
    );
  });

  test('console output is captured with its level and time', async () => {
    const before = Date.now();
    const result = await fixture.run(
      handler(
        `console.log('a %s', 'b', { c: 1 }); console.warn('w'); console.error(new Error('boom').message);`,
      ),
    );
    assert.deepEqual(
      result.logs.map((l) => [l.level, l.message]),
      [
        ['log', 'a b { c: 1 }'],
        ['warn', 'w'],
        ['error', 'boom'],
      ],
    );
    assert.ok(result.logs.every((l) => l.at >= before && l.at <= Date.now()));
  });

  test('sync handlers and handlers that return nothing work like async ones', async () => {
    const result = await fixture.run(
      'exports.onExecutePostLogin = function (event, api) { api.idToken.setCustomClaim("https://a/s", 1); };',
    );
    assert.equal(result.outcome, 'completed');
    assert.equal(result.commands.length, 1);
  });

  test('a missing handler fails the run with a message naming it', async () => {
    const result = await fixture.run('exports.somethingElse = () => {};');
    assert.equal(result.outcome, 'failed');
    assert.equal(
      result.outcome === 'failed' && result.message,
      'the action does not export onExecutePostLogin',
    );
  });
});
