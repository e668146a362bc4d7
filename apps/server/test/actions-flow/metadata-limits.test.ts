import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { METADATA_LIMITS } from '@tessera/storage';
import { FAILED_DESCRIPTION } from '@tessera/triggers';
import type * as oidc from 'openid-client';
import { Browser, createApp, discover, type OidcTestServer, startOidcServer } from '../oidc/helpers.ts';
import { bindActions, deployAction, lastExecution, loginToCallback, recordedFailure } from './helpers.ts';

/**
 * docs/security.md#50 for metadata written by post-login actions: what the trigger commits obeys the
 * same rules as the Management API (no `.` or `$` in field names, no reserved app_metadata property,
 * the merged result within the size limit). A commit storage refuses fails the login closed, as a
 * failed action does: the app gets `access_denied` and no code, nothing is written, and the execution
 * record names the rule that was broken.
 */
describe('metadata set by actions, over the limits', () => {
  let server: OidcTestServer;
  let config: oidc.Configuration;
  let userId: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };
  const EXISTING = { plan: 'free', notes: 'n'.repeat(METADATA_LIMITS.bytes / 2) };

  const metadata = async () => {
    const user = await server.storage.users.findById(server.tenantId, userId);
    return { app: user?.app_metadata, user: user?.user_metadata };
  };
  const runAction = async (code: string) =>
    bindActions(server.storage, server.tenantId, [
      await deployAction(server.storage, server.tenantId, `action-${Date.now()}`, code),
    ]);

  before(async () => {
    server = await startOidcServer({ TESSERA_ACTIONS_WORKERS: '1' });
    const app = await createApp(server);
    config = await discover(server, app.clientId, app.clientSecret);
    userId = (
      await server.storage.users.create(server.tenantId, {
        email: ada.username,
        password: ada.password,
        appMetadata: EXISTING,
      })
    ).user_id;
  });
  beforeEach(() => bindActions(server.storage, server.tenantId, []));
  after(() => server?.stop());

  /** Logs in with the bound action; asserts the closed failure and returns the recorded message. */
  async function failsClosed(): Promise<string> {
    const before = await metadata();
    const login = await loginToCallback(config, new Browser(server.issuer), ada);
    assert.deepEqual(
      login.params,
      {
        error: 'access_denied',
        error_description: FAILED_DESCRIPTION,
        state: login.state,
        iss: server.issuer,
      },
      'the login fails without a code',
    );
    assert.deepEqual(await metadata(), before, 'nothing of the run was written');
    const record = await lastExecution(server.storage, server.tenantId);
    assert.equal(record.status, 'error');
    const failure = recordedFailure(record);
    assert.equal(failure?.kind, 'limit');
    const line = server.logs.findLast((entry) => entry.msg === 'post-login trigger ran');
    assert.equal(line?.outcome, 'failed:limit');
    return failure?.message ?? '';
  }

  it('fails the login closed when the merged app_metadata would exceed the size limit', async () => {
    // Each call is well within the sandbox's per-call limit; with what the user has, the result is not.
    await runAction(`exports.onExecutePostLogin = async (event, api) => {
      api.user.setUserMetadata('theme', 'dark');
      api.user.setAppMetadata('history', 'h'.repeat(${METADATA_LIMITS.bytes / 2}));
    };`);
    const merged = { ...EXISTING, history: 'h'.repeat(METADATA_LIMITS.bytes / 2) };
    assert.equal(
      await failsClosed(),
      `the metadata set by the actions was not saved: app_metadata: ${JSON.stringify(merged).length} bytes of JSON; the limit is ${METADATA_LIMITS.bytes} bytes`,
    );
  });

  it('fails the login closed for a "." or "$" in a field name, or a reserved app_metadata property', async () => {
    await runAction(`exports.onExecutePostLogin = async (event, api) => {
      api.user.setUserMetadata('preference.color', 'pink');
    };`);
    assert.equal(
      await failsClosed(),
      'the metadata set by the actions was not saved: user_metadata: field names cannot contain "." or "$" (got "preference.color"); nest the value instead',
    );
    await runAction(`exports.onExecutePostLogin = async (event, api) => {
      api.user.setAppMetadata('prefs', { nested: { $set: 1 } });
    };`);
    assert.equal(
      await failsClosed(),
      'the metadata set by the actions was not saved: app_metadata: field names cannot contain "." or "$" (got "$set"); nest the value instead',
    );
    await runAction(`exports.onExecutePostLogin = async (event, api) => {
      api.user.setAppMetadata('user_id', 'someone-else');
    };`);
    assert.equal(
      await failsClosed(),
      'the metadata set by the actions was not saved: app_metadata: "user_id" is a reserved property and cannot be stored in app_metadata',
    );
  });

  it('commits metadata that fits once the run makes room, and the login succeeds', async () => {
    await runAction(`exports.onExecutePostLogin = async (event, api) => {
      api.user.setAppMetadata('notes', null);
      api.user.setAppMetadata('history', 'h'.repeat(${METADATA_LIMITS.bytes / 2}));
    };`);
    const login = await loginToCallback(config, new Browser(server.issuer), ada);
    assert.equal(typeof login.params.code, 'string', JSON.stringify(login.params));
    const stored = await metadata();
    assert.deepEqual(Object.keys(stored.app ?? {}).sort(), ['history', 'plan']);
  });
});
