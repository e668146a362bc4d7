import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { type ExternalSite, startExternalSite, TERMS_ACTION } from '../actions-flow/external-site.ts';
import { bindActions, deployAction } from '../actions-flow/helpers.ts';
import {
  authorizationRequest,
  createApp,
  discover,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcServer,
} from '../oidc/helpers.ts';
import { browserMissing, launchChromium, requireBrowser } from './chromium.ts';

/**
 * A post-login redirect in a real browser: the action sends the user to a terms page on another site
 * (127.0.0.1, while the issuer is localhost), whose form posts back to `/continue` cross-site. The
 * browser withholds the SameSite=Lax interaction cookie from that POST; Tessera's page posts it again
 * from its own origin, and the login finishes with the claim `onContinuePostLogin` set.
 */
describe('a post-login redirect to another site and back through /continue in Chromium', () => {
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };
  let server: OidcTestServer | undefined;
  let site: ExternalSite | undefined;
  let browser: Browser | undefined;
  let config: oidc.Configuration;

  before(async () => {
    if (browserMissing() !== undefined) return; // the test says so (or fails under CI)
    site = await startExternalSite();
    server = await startOidcServer();
    site.issuer = server.issuer;
    const app = await createApp(server);
    await server.storage.users.create(server.tenantId, { email: ada.username, password: ada.password });
    await bindActions(server.storage, server.tenantId, [
      await deployAction(server.storage, server.tenantId, 'Terms', TERMS_ACTION, [
        { name: 'SHARED', value: site.secret },
        { name: 'TERMS_URL', value: `${site.url}/terms` },
      ]),
    ]);
    config = await discover(server, app.clientId, app.clientSecret);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await site?.close();
  });

  it('logs in, accepts the terms on the other site, and the app gets a code whose tokens carry the answer', async (t) => {
    if (!requireBrowser(t)) return;
    const context = await browser!.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const continues: Array<{ method: string; cookie: boolean }> = [];
    page.on('request', (sent) => {
      if (sent.url().startsWith(`${server!.issuer}continue`))
        void sent.allHeaders().then((headers) =>
          continues.push({
            method: sent.method(),
            cookie: /tessera_interaction=/.test(headers.cookie ?? ''),
          }),
        );
    });
    // The app's callback is not served here: the browser's arrival there is the result.
    const callback = new Promise<string>((resolve) => {
      void page.route(`${REDIRECT_URI}**`, async (route) => {
        resolve(route.request().url());
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'app' });
      });
    });

    const request = await authorizationRequest(config);
    await page.goto(request.url.href);
    await page.fill('input[name=username]', ada.username);
    await page.fill('input[name=password]', ada.password);
    await page.click('button[type=submit]');

    await page.waitForURL((url) => url.href.startsWith(`${site!.url}/terms`));
    const away = new URL(page.url());
    assert.match(away.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{32}$/);
    await page.click('#accept');

    const arrived = await callback;
    const back = new URL(arrived);
    assert.equal(back.searchParams.get('error'), null, back.searchParams.get('error_description') ?? '');
    const tokens = await request.redeem(arrived);
    const jwks = createRemoteJWKSet(new URL(`${server!.issuer}.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.id_token!, jwks);
    assert.equal(payload['https://example.com/terms'], true);
    assert.equal(payload['https://example.com/email'], ada.username);
    assert.equal(typeof payload['https://example.com/started'], 'string');
    assert.deepEqual(errors, [], 'no script or CSP error on the way');
    // The site's cross-site POST came without the interaction cookie; the same-origin one with it.
    assert.deepEqual(continues, [
      { method: 'POST', cookie: false },
      { method: 'POST', cookie: true },
    ]);
    await context.close();
  });
});
