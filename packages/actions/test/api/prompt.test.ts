import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useRuntime } from '../runtime/helpers.ts';
import { assertRefused, assertThrew, messages, recorded, runBody, runCode } from './support.ts';

const fixture = useRuntime({ workers: 1 });

describe('api.prompt.render', () => {
  test('records the prompt with its vars and pauses', async () => {
    const result = await runBody(fixture, `api.prompt.render('prm_terms', { vars: { version: 3 } });`);
    const [command] = recorded({ type: 'prompt.render', promptId: 'prm_terms', vars: { version: 3 } });
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(result.outcome === 'completed' && result.pause, command);
    assert.deepEqual(result.commands, [command]);
  });

  test('without options the vars are empty', async () => {
    const result = await runBody(fixture, `api.prompt.render('prm_terms');`);
    assert.deepEqual(result.commands, recorded({ type: 'prompt.render', promptId: 'prm_terms', vars: {} }));
  });

  test('the form fields arrive in event.prompt in onContinuePostLogin', async () => {
    const result = await runCode(
      fixture,
      `exports.onExecutePostLogin = async (event, api) => {};
exports.onContinuePostLogin = async (event, api) => {
  console.log(event.prompt.id, event.prompt.fields.accepted);
};`,
      {
        resume: { index: 0, state: 'st_prompt' },
        patch: (event) => {
          event.prompt = { id: 'prm_terms', fields: { accepted: true } };
        },
      },
    );
    assert.deepEqual(messages(result), ['prm_terms true']);
  });

  test('an empty prompt id fails the action; caught, the run goes on', async () => {
    await assertRefused(
      fixture,
      `api.prompt.render('')`,
      'api.prompt.render: promptId must be a non-empty string (got an empty string)',
    );
  });

  test('a prompt together with a redirect fails the action', async () => {
    const result = await runBody(
      fixture,
      `api.redirect.sendUserTo('https://consent.example.com/');
       api.prompt.render('prm_terms');`,
    );
    assertThrew(
      result,
      'api.prompt.render: this action already called api.redirect.sendUserTo; an action can start only one redirect, prompt, or MFA challenge or enrollment',
      3,
    );
  });

  test('prompt=none cannot show a form: the call fails the action', async () => {
    await assertRefused(
      fixture,
      `api.prompt.render('prm_terms')`,
      'api.prompt.render: this transaction cannot redirect the user (protocol "oidc-basic-profile" or prompt=none); check api.redirect.canRedirect() first',
      {
        patch: (event) => {
          event.transaction.prompt = ['none'];
        },
      },
    );
    const refused = await runBody(fixture, `api.prompt.render('prm_terms');`, {
      patch: (event) => {
        event.transaction.prompt = ['none'];
      },
    });
    assert.equal(refused.outcome === 'failed' && refused.interactionRefused, true);
  });
});
