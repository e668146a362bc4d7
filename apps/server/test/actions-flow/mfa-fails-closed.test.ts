import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from '../oidc/helpers.ts';
import { type ExternalSite, startExternalSite, TERMS_ACTION } from './external-site.ts';
import {
  actionsRan,
  bindActions,
  deployAction,
  lastExecution,
  loginToCallback,
  recordedFailure,
} from './helpers.ts';

/** What the app is told, word for word (docs/security.md#52). */
const MFA_UNSUPPORTED =
  'the login could not be completed: a post-login action required multi-factor authentication, which this server does not provide yet';

/** The action that runs after the one asking for MFA, and leaves a trace that it ran. */
const AFTER_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  api.user.setAppMetadata('after_ran', true);
  api.idToken.setCustomClaim('https://example.com/after', true);
};`;

/**
 * Every kind of MFA request an Auth0 action makes, and what Auth0 does with the rest of the run:
 * `multifactor.enable` defers its challenge to the end of the flow (later actions still run), a
 * challenge or enrollment stops the pipeline until the user has answered it (later actions wait).
 */
const MFA_CALLS: Array<{ call: string; laterActionsRun: boolean }> = [
  { call: `api.multifactor.enable('any')`, laterActionsRun: true },
  { call: `api.multifactor.enable('guardian')`, laterActionsRun: true },
  { call: `api.multifactor.enable('google-authenticator')`, laterActionsRun: true },
  {
    call: `api.multifactor.enable('duo', { providerOptions: { host: 'api-1234.duosecurity.com', ikey: 'DIXXXXXXXXXXXXXXXXXX', skey: 'not-a-real-duo-secret' } })`,
    laterActionsRun: true,
  },
  { call: `api.multifactor.enable('any', { allowRememberBrowser: true })`, laterActionsRun: true },
  {
    call: `api.authentication.challengeWith({ type: 'otp' }, { additionalFactors: [{ type: 'recovery-code' }] })`,
    laterActionsRun: false,
  },
  {
    call: `api.authentication.challengeWithAny([{ type: 'otp' }, { type: 'phone', options: { preferredMethod: 'sms' } }])`,
    laterActionsRun: false,
  },
  { call: `api.authentication.enrollWith({ type: 'otp' })`, laterActionsRun: false },
  {
    call: `api.authentication.enrollWithAny([{ type: 'otp' }, { type: 'webauthn-roaming' }])`,
    laterActionsRun: false,
  },
];

/**
 * docs/security.md#52: until Tessera has MFA, a login whose actions ask for a second factor fails
 * closed, through the login page, on an SSO login and on a login resumed at /continue. The app gets
 * `access_denied` with a description naming the cause and no code; the execution record and the log
 * line say why; `multifactor.enable('none')` (Auth0: no MFA) keeps the login going.
 */
describe('an MFA request an action makes fails the login until MFA exists', () => {
  let server: OidcTestServer;
  let site: ExternalSite;
  let config: oidc.Configuration;
  let clientId: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let userId: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  let deployed = 0;
  /** Action names are unique per tenant: each deploy gets a fresh one. */
  const deploy = (name: string, code: string) =>
    deployAction(server.storage, server.tenantId, `${name} ${++deployed}`, code, [
      { name: 'SHARED', value: site.secret },
      { name: 'TERMS_URL', value: `${site.url}/terms` },
    ]);
  const bind = (ids: string[]) => bindActions(server.storage, server.tenantId, ids);
  const appMetadata = async () =>
    (await server.storage.users.findById(server.tenantId, userId))!.app_metadata;
  const lastLogLine = () => server.logs.findLast((entry) => entry.msg === 'post-login trigger ran');

  /**
   * The app's callback carries exactly access_denied, the MFA description, its state and the issuer,
   * and no code: openid-client, as the app runs it, rejects the callback with that error.
   */
  async function assertDeniedForMfa(
    callbackUrl: string,
    request: { state: string; redeem: (url: string) => Promise<unknown> },
  ) {
    const callback = new URL(callbackUrl);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI, `back at the app (${callbackUrl})`);
    assert.deepEqual(Object.fromEntries(callback.searchParams), {
      error: 'access_denied',
      error_description: MFA_UNSUPPORTED,
      state: request.state,
      iss: server.issuer,
    });
    await assert.rejects(request.redeem(callbackUrl), (error: unknown) => {
      assert.ok(error instanceof oidc.AuthorizationResponseError);
      assert.equal(error.error, 'access_denied');
      assert.equal(error.error_description, MFA_UNSUPPORTED);
      return true;
    });
  }

  /** The record of the run that asked for MFA says it was denied for it, and the log line names it. */
  async function assertRecordedAsMfaDenial(action: string, call: string) {
    const record = await lastExecution(server.storage, server.tenantId);
    assert.equal(record.status, 'denied');
    assert.deepEqual(recordedFailure(record), {
      kind: 'mfa_unsupported',
      message: `action "${action}" called ${call.slice(0, call.indexOf('('))}; this server does not provide multi-factor authentication yet, so the login was denied`,
    });
    const line = lastLogLine();
    assert.equal(line?.outcome, 'denied:mfa_unsupported');
    assert.equal(line?.execution, record.id);
    return record;
  }

  before(async () => {
    site = await startExternalSite();
    server = await startOidcServer();
    site.issuer = server.issuer;
    const app = await createApp(server);
    clientId = app.clientId;
    userId = (
      await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password })
    ).user_id;
    config = await discover(server, app.clientId, app.clientSecret);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
  });
  beforeEach(async () => {
    await bind([]);
    await server.storage.users.mergeMetadata(server.tenantId, userId, {
      app: { asked_for_mfa: null, after_ran: null, terms_accepted: null, redirected_at: null },
      user: {},
    });
  });
  after(async () => {
    await server.stop();
    await site.close();
  });

  for (const { call, laterActionsRun } of MFA_CALLS) {
    it(`${call} fails the login closed: access_denied with the MFA description, no code`, async () => {
      const asking = `Asks for MFA ${deployed + 1}`;
      await bind([
        await deploy(
          'Asks for MFA',
          `exports.onExecutePostLogin = async (event, api) => {
            api.user.setAppMetadata('asked_for_mfa', true);
            api.idToken.setCustomClaim('https://example.com/asked', true);
            ${call};
          };`,
        ),
        await deploy('After', AFTER_ACTION),
      ]);
      const login = await loginToCallback(config, new Browser(server.issuer), ada);
      await assertDeniedForMfa(login.callback.href, login);

      const record = await assertRecordedAsMfaDenial(asking, call);
      assert.deepEqual(
        actionsRan(record),
        laterActionsRun ? [asking, `After ${deployed}`] : [asking],
        laterActionsRun
          ? 'Auth0 defers the enable challenge to the end of the flow: later actions run first'
          : 'a challenge or enrollment stops the pipeline: later actions wait for it',
      );
      // As for api.access.deny, the metadata the run set is committed (Auth0: a denied login keeps it).
      assert.deepEqual(
        { asked: (await appMetadata()).asked_for_mfa, after: (await appMetadata()).after_ran },
        { asked: true, after: laterActionsRun ? true : undefined },
      );
    });
  }

  it(`api.multifactor.enable('none') asks for no second factor: the login goes on and gets its tokens`, async () => {
    await bind([
      await deploy(
        'No MFA',
        `exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('none'); };`,
      ),
      await deploy('After', AFTER_ACTION),
    ]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { audience: clientId });
    assert.equal(payload['https://example.com/after'], true);
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal((await lastExecution(server.storage, server.tenantId)).status, 'success');
    assert.equal(lastLogLine()?.outcome, 'completed');
  });

  it(`the last api.multifactor.enable of the run decides (Auth0 sets or removes the requirement): 'none' after a provider removes it, a provider after 'none' fails the login`, async () => {
    const enable = (provider: string) =>
      deploy(
        `Enable ${provider}`,
        `exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('${provider}'); };`,
      );
    await bind([await enable('any'), await enable('none')]);
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
    assert.ok(tokens.id_token, 'a later none removed the earlier requirement');

    await bind([await enable('none'), await enable('guardian')]);
    const login = await loginToCallback(config, new Browser(server.issuer), ada);
    await assertDeniedForMfa(login.callback.href, login);
    await assertRecordedAsMfaDenial(`Enable guardian ${deployed}`, `api.multifactor.enable('guardian')`);
  });

  it('on an SSO login (the trigger runs inside /authorize, no login page) an MFA request fails closed too', async () => {
    const browser = new Browser(server.issuer);
    // The first login makes the session; nothing asks for MFA yet.
    await loginWithCode(server, config, browser, ada);

    for (const call of [
      `api.multifactor.enable('any')`,
      `api.authentication.challengeWith({ type: 'otp' })`,
    ]) {
      await bind([
        await deploy('SSO MFA', `exports.onExecutePostLogin = async (event, api) => { ${call}; };`),
      ]);
      const request = await authorizationRequest(config);
      const done = await browser.follow(request.url.href);
      await assertDeniedForMfa(done.url, request);
      await assertRecordedAsMfaDenial(`SSO MFA ${deployed}`, call);
    }
  });

  it('a login resumed at /continue fails closed when the run asked for MFA, before the redirect or after it', async () => {
    const enableThenRedirect = await deploy(
      'Enable then redirect',
      `exports.onExecutePostLogin = async (event, api) => {
        api.multifactor.enable('any');
        api.redirect.sendUserTo(event.secrets.TERMS_URL, { query: {
          session_token: api.redirect.encodeToken({ secret: event.secrets.SHARED, payload: {} }),
        } });
      };
      exports.onContinuePostLogin = async (event, api) => {
        const answer = api.redirect.validateToken({ secret: event.secrets.SHARED });
        api.user.setAppMetadata('terms_accepted', answer.accepted === true);
      };`,
    );
    const cases = [
      {
        ids: [enableThenRedirect],
        action: `Enable then redirect ${deployed}`,
        call: `api.multifactor.enable('any')`,
        ran: [`Enable then redirect ${deployed}`],
      },
      {
        ids: [
          await deploy('Terms', TERMS_ACTION),
          await deploy(
            'Challenge after terms',
            `exports.onExecutePostLogin = async (event, api) => { api.authentication.challengeWithAny([{ type: 'otp' }]); };`,
          ),
        ],
        action: `Challenge after terms ${deployed}`,
        call: `api.authentication.challengeWithAny([{ type: 'otp' }])`,
        ran: [`Terms ${deployed - 1}`, `Challenge after terms ${deployed}`],
      },
    ];
    for (const { ids, action, call, ran } of cases) {
      await server.storage.users.mergeMetadata(server.tenantId, userId, {
        app: { terms_accepted: null },
        user: {},
      });
      await bind(ids);
      const browser = new Browser(server.issuer);
      const request = await authorizationRequest(config);
      const start = await browser.follow(request.url.href);
      const away = new URL((await browser.login(start.url, ada.username, ada.password)).url);
      assert.equal(away.origin + away.pathname, `${site.url}/terms`, `${action}: sent to the site first`);
      const beforeRedirect = lastLogLine()?.execution;

      const fields = await site.answer(away, { accepted: true });
      const back = await browser.follow(`/continue?${new URLSearchParams(fields)}`);
      await assertDeniedForMfa(back.url, request);
      const record = await assertRecordedAsMfaDenial(action, call);
      assert.deepEqual(actionsRan(record), ran, `${action}: the resumed run's record`);
      assert.deepEqual(lastLogLine()?.resumedFrom, [beforeRedirect], `${action}: names the earlier run`);
      assert.equal((await appMetadata()).terms_accepted, true, `${action}: committed as for a deny`);
    }
  });
});
