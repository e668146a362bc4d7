import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from '../oidc/helpers.ts';
import { type ExternalSite, startExternalSite, TERMS_ACTION } from './external-site.ts';
import { bindActions, deployAction } from './helpers.ts';

/**
 * `api.redirect.sendUserTo` and `/continue` through real HTTP: the login pauses, the browser goes to
 * an external site (served by the test), which sends it back with a session token the action
 * validates; then docs/security.md#21–#23 and #37 for `/continue`.
 */
describe('post-login redirects and /continue', () => {
  let server: OidcTestServer;
  let site: ExternalSite;
  let config: oidc.Configuration;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let userId: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  let deployed = 0;
  const deploy = (name: string, code: string) =>
    deployAction(server.storage, server.tenantId, `${name} ${++deployed}`, code, [
      { name: 'SHARED', value: site.secret },
      { name: 'TERMS_URL', value: `${site.url}/terms` },
    ]);
  const bind = (ids: string[]) => bindActions(server.storage, server.tenantId, ids);
  const appMetadata = async () =>
    (await server.storage.users.findById(server.tenantId, userId))!.app_metadata;

  /** Logs in through the login page and stops where the browser leaves for the external site. */
  const loginUntilRedirect = async (browser: Browser, params: Record<string, string> = {}) => {
    const request = await authorizationRequest(config, params);
    const start = await browser.follow(request.url.href);
    const done = await browser.login(start.url, ada.username, ada.password);
    if (done.url.startsWith(server.issuer))
      assert.fail(
        `still on ${done.url}: ${done.response.status} ${JSON.stringify(server.logs.filter((l) => Number(l.level) >= 50))}`,
      );
    return { request, away: new URL(done.url) };
  };
  const post = (browser: Browser, action: string, fields: Record<string, string>) =>
    browser.follow(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  /**
   * What the external site's form posts back to /continue (its server signs the session token). A
   * browser without the interaction cookie gets the page that posts the form again from Tessera's own
   * origin; its script does that, as here.
   */
  const continueWith = async (
    browser: Browser,
    fields: Record<string, string>,
    method: 'GET' | 'POST' = 'POST',
  ) => {
    if (method === 'GET') return browser.follow(`/continue?${new URLSearchParams(fields)}`);
    const first = await post(browser, '/continue', fields);
    if (first.response.status !== 200) return first;
    const html = await first.response.text();
    assert.match(html, /<form id="resubmit" method="post" action="\/continue">/);
    const again = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    return post(browser, '/continue', again);
  };
  const errorPage = async (response: Response) => {
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.match(html, /invalid_request/);
    return html;
  };

  before(async () => {
    site = await startExternalSite();
    server = await startOidcServer({ TESSERA_ACTIONS_REDIRECT_TTL_S: '3' });
    site.issuer = server.issuer;
    const app = await createApp(server);
    userId = (
      await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password })
    ).user_id;
    config = await discover(server, app.clientId, app.clientSecret);
    jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
  });
  beforeEach(async () => {
    await bind([]);
    await server.storage.users.mergeMetadata(server.tenantId, userId, {
      app: { terms_accepted: null, redirected_at: null, after_terms: null },
      user: {},
    });
  });
  after(async () => {
    await server.stop();
    await site.close();
  });

  it('pauses the login at the external site, resumes at POST /continue, and the claims of both parts reach the tokens', async () => {
    const terms = await deploy('Terms', TERMS_ACTION);
    const after = await deploy(
      'After terms',
      `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim('https://example.com/after', event.user.app_metadata.terms_accepted === true);
        api.user.setAppMetadata('after_terms', true);
      };`,
    );
    await bind([terms, after]);
    const browser = new Browser(server.issuer);
    const { request, away } = await loginUntilRedirect(browser);

    // The browser left for the site, with the action's query and Tessera's state.
    assert.equal(away.origin + away.pathname, `${site.url}/terms`);
    const state = away.searchParams.get('state');
    assert.match(state ?? '', /^[A-Za-z0-9_-]{32}$/);
    assert.ok(away.searchParams.get('session_token'), 'the action sent its own token along');
    // The paused login is in the KV store without the password the login form carried.
    const parked = await server.kv.get(`post-login-pause:${server.tenantId}:${state}`);
    assert.ok(parked, 'the paused login is stored under its state');
    assert.ok(!parked.includes(ada.password), 'no password in the stored pause');
    assert.match(parked, /"username":"ada@example\.com"/);
    // Metadata set before the redirect is committed before the browser leaves; the rest waits.
    const paused = await appMetadata();
    assert.equal(typeof paused.redirected_at, 'string');
    assert.equal(paused.terms_accepted, undefined);
    assert.equal(paused.after_terms, undefined);

    // The site answers (its server signs the token with the shared secret) and posts back.
    const fields = await site.answer(away, { accepted: true });
    const back = await continueWith(browser, fields);
    const callback = new URL(back.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI, `back at the app (${back.url})`);
    assert.equal(
      callback.searchParams.get('error'),
      null,
      callback.searchParams.get('error_description') ?? '',
    );

    const tokens = await request.redeem(back.url);
    const { payload } = await jwtVerify(tokens.id_token!, jwks);
    assert.equal(payload['https://example.com/terms'], true, 'set by onContinuePostLogin from the token');
    assert.equal(payload['https://example.com/email'], ada.username, 'set before the redirect');
    assert.equal(
      payload['https://example.com/started'],
      paused.redirected_at,
      'transaction metadata survived the redirect',
    );
    assert.equal(payload['https://example.com/after'], true, 'the next action ran after the continue');
    assert.deepEqual(
      { terms: (await appMetadata()).terms_accepted, after: (await appMetadata()).after_terms },
      { terms: true, after: true },
    );
  });

  it('GET /continue resumes too, with the token in the query', async () => {
    await bind([await deploy('Terms', TERMS_ACTION)]);
    const browser = new Browser(server.issuer);
    const { request, away } = await loginUntilRedirect(browser);
    const back = await continueWith(browser, await site.answer(away, { accepted: true }), 'GET');
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    const { payload } = await jwtVerify((await request.redeem(back.url)).id_token!, jwks);
    assert.equal(payload['https://example.com/terms'], true);
  });

  it('an SSO login whose action redirects goes straight from /authorize to the site, and resumes', async () => {
    const always = await deploy(
      'Always ask',
      `exports.onExecutePostLogin = async (event, api) => {
        api.redirect.sendUserTo(event.secrets.TERMS_URL, { query: {
          session_token: api.redirect.encodeToken({ secret: event.secrets.SHARED, payload: {} }),
        } });
      };
      exports.onContinuePostLogin = async (event, api) => {
        const answer = api.redirect.validateToken({ secret: event.secrets.SHARED });
        api.idToken.setCustomClaim('https://example.com/answer', answer.accepted);
        api.idToken.setCustomClaim('https://example.com/session', event.session ? event.session.id : null);
        api.idToken.setCustomClaim('https://example.com/methods', event.authentication.methods.map((m) => m.name));
      };`,
    );
    await bind([always]);
    const browser = new Browser(server.issuer);
    const first = await loginUntilRedirect(browser);
    const done = await continueWith(browser, await site.answer(first.away, { accepted: true }));
    assert.ok(done.url.startsWith(REDIRECT_URI), done.url);

    // The session exists now: the next authorization runs the actions without a login page.
    const second = await authorizationRequest(config);
    const away = await browser.follow(second.url.href);
    const target = new URL(away.url);
    assert.equal(target.origin + target.pathname, `${site.url}/terms`, `sent to the site (${away.url})`);
    const back = await continueWith(browser, await site.answer(target, { accepted: 'sso' }));
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    const { payload } = await jwtVerify((await second.redeem(back.url)).id_token!, jwks);
    assert.equal(payload['https://example.com/answer'], 'sso');
    // An SSO login reuses the session: the event names it and how it was authenticated.
    assert.match(String(payload['https://example.com/session']), /^[\w-]{10,}$/);
    assert.deepEqual(payload['https://example.com/methods'], ['pwd']);
  });

  it('prompt=none: canRedirect() is false, and a redirect anyway answers interaction_required', async () => {
    const careful = await deploy(
      'Careful',
      `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim('https://example.com/can', api.redirect.canRedirect());
      };`,
    );
    await bind([careful]);
    const browser = new Browser(server.issuer);
    const first = await loginUntilRedirect(browser);
    assert.ok(first.away.href.startsWith(REDIRECT_URI));
    const { payload } = await jwtVerify((await first.request.redeem(first.away.href)).id_token!, jwks);
    assert.equal(payload['https://example.com/can'], true, 'a login page transaction can redirect');

    const silent = await authorizationRequest(config, { prompt: 'none' });
    const quiet = await browser.follow(silent.url.href);
    const { payload: silentClaims } = await jwtVerify((await silent.redeem(quiet.url)).id_token!, jwks);
    assert.equal(silentClaims['https://example.com/can'], false);

    await bind([await deploy('Ask anyway', TERMS_ACTION)]);
    const denied = await browser.follow((await authorizationRequest(config, { prompt: 'none' })).url.href);
    const callback = new URL(denied.url);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });

  it('SECURITY 21: javascript:, data:, relative and plain-http URLs fail the action; the browser is never sent there', async () => {
    for (const target of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '/relative/page',
      'http://evil.example.com/terms',
    ]) {
      await bind([
        await deploy(
          'Bad target',
          `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo(${JSON.stringify(target)}); };`,
        ),
      ]);
      const browser = new Browser(server.issuer);
      const { away } = await loginUntilRedirect(browser);
      assert.equal(away.origin + away.pathname, REDIRECT_URI, `${target}: back at the app, not sent away`);
      assert.equal(away.searchParams.get('error'), 'access_denied', target);
    }
  });

  it('a tenant that allows plain-http redirects and a private fetch host (tenant settings) gets both', async () => {
    const port = new URL(server.issuer).port;
    // The Host header selects the tenant: this one is reached as 127.0.0.1:<port>.
    const tenant = await server.storage.tenants.create({
      name: 'lenient',
      domains: [`127.0.0.1:${port}`],
      settings: { actions_allow_http_redirects: true, actions_fetch_allow: ['127.0.0.1'] },
    });
    await server.storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
    const lenient = { ...server, issuer: `http://127.0.0.1:${port}/`, tenantId: tenant.id };
    const app = await createApp(lenient);
    await server.storage.users.create(tenant.id, { email: ada.username, password: ada.password });
    // The tenant also lets its actions fetch a private host (actions_fetch_allow).
    const plainHttp = `exports.onExecutePostLogin = async (event, api) => {
      const status = (await fetch('${site.url}/nothing-here')).status;
      api.redirect.sendUserTo('http://intranet.example.com/terms', { query: { fetched: String(status) } });
    };`;
    await bindActions(server.storage, tenant.id, [
      await deployAction(server.storage, tenant.id, 'Plain http', plainHttp),
    ]);
    const request = await authorizationRequest(await discover(lenient, app.clientId, app.clientSecret));
    const browser = new Browser(lenient.issuer);
    const start = await browser.follow(request.url.href);
    const done = await browser.login(start.url, ada.username, ada.password);
    const away = new URL(done.url);
    assert.equal(away.origin + away.pathname, 'http://intranet.example.com/terms');
    assert.equal(away.searchParams.get('fetched'), '404', 'the private host answered the action');
    assert.match(away.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{32}$/);
  });

  it('SECURITY 22: /continue without state, with another login’s state, from another browser or replayed → invalid_request, nothing resumes or commits', async () => {
    await bind([await deploy('Terms', TERMS_ACTION)]);
    const alice = new Browser(server.issuer);
    const mallory = new Browser(server.issuer);
    const a = await loginUntilRedirect(alice);
    const m = await loginUntilRedirect(mallory);
    const aliceFields = await site.answer(a.away, { accepted: true });
    const malloryFields = await site.answer(m.away, { accepted: true });

    // No state, a state of the wrong shape, an unknown one.
    await errorPage((await continueWith(alice, { session_token: aliceFields.session_token! })).response);
    await errorPage((await continueWith(alice, { ...aliceFields, state: 'x'.repeat(5000) })).response);
    await errorPage((await continueWith(alice, { ...aliceFields, state: 'A'.repeat(32) })).response);
    // Mallory's state in Alice's browser, and Alice's state in Mallory's browser.
    await errorPage((await continueWith(alice, malloryFields)).response);
    await errorPage((await continueWith(mallory, aliceFields)).response);
    // A browser with no login in progress at all.
    await errorPage((await continueWith(new Browser(server.issuer), aliceFields)).response);
    assert.equal((await appMetadata()).terms_accepted, undefined, 'nothing resumed');

    // Refused attempts did not use Alice's state up: she finishes, once.
    const back = await continueWith(alice, aliceFields);
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    assert.equal((await appMetadata()).terms_accepted, true);
    await server.storage.users.mergeMetadata(server.tenantId, userId, {
      app: { terms_accepted: null },
      user: {},
    });
    await errorPage((await continueWith(alice, aliceFields)).response);
    assert.equal((await appMetadata()).terms_accepted, undefined, 'a replay commits nothing');
  });

  it('SECURITY 23: a forged, expired or foreign session token fails the login with the reason in the execution record', async () => {
    await bind([await deploy('Terms', TERMS_ACTION)]);
    const cases: Array<[string, (fields: Record<string, string>) => Promise<Record<string, string>>]> = [
      ['alg none', async (f) => ({ ...f, session_token: unsigned(f.session_token!) })],
      [
        'wrong secret',
        async (f) => ({ ...f, session_token: await site.sign({ ...claimsOf(f) }, 'not the secret') }),
      ],
      ['expired', async (f) => ({ ...f, session_token: await site.sign({ ...claimsOf(f), exp: 1000 }) })],
      [
        'other state',
        async (f) => ({ ...f, session_token: await site.sign({ ...claimsOf(f), state: 'other' }) }),
      ],
      [
        'other sub',
        async (f) => ({ ...f, session_token: await site.sign({ ...claimsOf(f), sub: 'auth0|x' }) }),
      ],
      ['oversized', async (f) => ({ ...f, session_token: 'a'.repeat(10_000) })],
    ];
    for (const [name, forge] of cases) {
      const browser = new Browser(server.issuer);
      const { away } = await loginUntilRedirect(browser);
      const back = await continueWith(browser, await forge(await site.answer(away, { accepted: true })));
      const callback = new URL(back.url);
      assert.equal(callback.origin + callback.pathname, REDIRECT_URI, name);
      assert.equal(callback.searchParams.get('error'), 'access_denied', name);
      assert.doesNotMatch(callback.searchParams.get('error_description') ?? '', /session token/, name);
      const [row] = await server.storage.db.sql.query<{ results: string }>(
        'SELECT results::text AS results FROM executions WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 1',
        [server.tenantId],
      );
      assert.match(row!.results, /The session token is invalid/, name);
      assert.equal((await appMetadata()).terms_accepted, undefined, name);
    }
  });

  it('SECURITY 24: skipping the page the login paused for (the provider’s resume URL, the consent or login page) issues no code', async () => {
    await bind([await deploy('Terms', TERMS_ACTION)]);
    const browser = new Browser(server.issuer);
    const { away } = await loginUntilRedirect(browser);
    const uid = decodeURIComponent(browser.cookies.get('tessera_interaction') ?? '');
    assert.ok(uid, 'the interaction is still open while the user is away');
    for (const shortcut of [`/authorize/${uid}`, `/u/consent?state=${uid}`, `/u/login?state=${uid}`]) {
      const reached = await browser.follow(shortcut);
      assert.ok(!reached.url.startsWith(REDIRECT_URI), `${shortcut} did not reach the app (${reached.url})`);
    }
    assert.equal((await appMetadata()).terms_accepted, undefined, 'nothing resumed');
    // Resuming the provider without a result started a new interaction (a new cookie): the paused
    // login belongs to the old one, so coming back now is refused and the user starts again.
    const back = await continueWith(browser, await site.answer(away, { accepted: true }));
    await errorPage(back.response);
    assert.equal((await appMetadata()).terms_accepted, undefined);
  });

  it('SECURITY 37: a paused login that waited too long is refused at /continue', async () => {
    await bind([await deploy('Terms', TERMS_ACTION)]);
    const browser = new Browser(server.issuer);
    const { away } = await loginUntilRedirect(browser);
    const fields = await site.answer(away, { accepted: true });
    await new Promise((resolve) => setTimeout(resolve, 3_200)); // TESSERA_ACTIONS_REDIRECT_TTL_S=3
    await errorPage((await continueWith(browser, fields)).response);
    assert.equal((await appMetadata()).terms_accepted, undefined);
  });

  /** The claims a site would sign: those of the token it received, with the state it was given. */
  const claimsOf = (fields: Record<string, string>) => {
    const [, body] = fields.session_token!.split('.');
    return JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
  };
  const unsigned = (token: string) => {
    const [, body] = token.split('.');
    return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
  };
});
