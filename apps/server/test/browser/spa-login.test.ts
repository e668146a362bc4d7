import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type OidcTestServer, startOidcServer } from '../oidc/helpers.ts';
import { browserMissing, launchChromium, requireBrowser } from './chromium.ts';
import { type SampleSpa, startSampleSpa } from './spa-server.ts';

/** What the browser reported while on one page: console lines (CSP violations land here) and errors. */
interface Observed {
  url: string;
  kind: string;
  text: string;
}

describe('a single-page app on another site logs in with code + PKCE in a real browser', () => {
  const alice = { username: 'alice@example.com', password: 'correct horse battery staple' };
  let server: OidcTestServer | undefined;
  let spa: SampleSpa | undefined;
  let stranger: SampleSpa | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let screenshots: string;
  let observed: Observed[] = [];
  let navigations: string[] = [];
  // Promises, recorded synchronously: reading the raw headers takes a round trip to the browser, which
  // may end after the page has already shown the outcome.
  const tokenCalls: Promise<{ status: number; origin?: string; allowOrigin?: string }>[] = [];

  before(async () => {
    if (browserMissing() !== undefined) return; // each test says so (or fails under CI)
    server = await startOidcServer();
    await server.storage.users.create(server.tenantId, {
      email: alice.username,
      password: alice.password,
      name: 'Alice',
    });
    spa = await startSampleSpa(server.issuer);
    // Same app code on an origin that is not in the client's web_origins.
    stranger = await startSampleSpa(server.issuer);
    const { client } = await server.storage.clients.create(server.tenantId, {
      name: 'Sample SPA',
      appType: 'spa',
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['authorization_code', 'refresh_token'],
      callbacks: [`${spa.origin}/callback`],
      webOrigins: [spa.origin],
      allowedLogoutUrls: [`${spa.origin}/`],
      isFirstParty: true,
    });
    spa.clientId = client.clientId;
    stranger.clientId = client.clientId;

    screenshots = await mkdtemp(join(tmpdir(), 'tessera-browser-'));
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        const source = message.location().url;
        const text = source ? `${message.text()} (${source})` : message.text();
        observed.push({ url: page.url(), kind: `console.${message.type()}`, text });
      }
    });
    page.on('pageerror', (error) =>
      observed.push({ url: page.url(), kind: 'pageerror', text: error.message }),
    );
    page.on('requestfailed', (request) =>
      observed.push({
        url: page.url(),
        kind: 'requestfailed',
        text: `${request.url()} ${request.failure()?.errorText}`,
      }),
    );
    page.on('response', (response) => {
      if (response.status() >= 400 && response.url() !== `${server!.issuer}oauth/token`) {
        observed.push({ url: page.url(), kind: 'http', text: `${response.status()} ${response.url()}` });
      }
      if (response.url() === `${server!.issuer}oauth/token` && response.request().method() === 'POST') {
        tokenCalls.push(
          Promise.all([response.request().allHeaders(), response.allHeaders()]).then(([sent, received]) => ({
            status: response.status(),
            origin: sent.origin,
            allowOrigin: received['access-control-allow-origin'],
          })),
        );
      }
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
  });

  after(async () => {
    await browser?.close();
    await spa?.close();
    await stranger?.close();
    await server?.stop();
    if (screenshots && process.env.TESSERA_KEEP_SCREENSHOTS !== '1') {
      await rm(screenshots, { recursive: true, force: true });
    }
  });

  const onIssuer = (entry: Observed) => entry.url.startsWith(server!.issuer);
  // The pages declare an empty icon, so Chromium never asks for /favicon.ico: nothing is tolerated.
  const problems = () => observed;
  const reset = () => {
    observed = [];
    navigations = [];
    tokenCalls.length = 0;
  };

  it('logs in through the Tessera login page and reads the token endpoint cross-origin (CORS from web_origins)', async (t) => {
    if (!requireBrowser(t)) return;
    reset();
    await page.goto(`${spa!.origin}/`);
    await page.click('#login');
    await page.waitForURL((url) => url.href.startsWith(`${server!.issuer}u/login?`));
    await page.locator('input[name=username]').waitFor();
    const shot = join(screenshots, 'login.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await stat(shot)).size > 1000, 'the login page renders');
    t.diagnostic(`login page screenshot: ${shot} (kept when TESSERA_KEEP_SCREENSHOTS=1)`);

    await page.fill('input[name=username]', alice.username);
    await page.fill('input[name=password]', alice.password);
    await page.click('button[type=submit]');
    await page.locator('#status:not(:empty)').waitFor();

    assert.equal(await page.locator('#status').textContent(), 'Logged in');
    assert.equal(await page.locator('#email').textContent(), alice.username);
    assert.equal(await page.locator('#userinfo-email').textContent(), alice.username);
    assert.ok(((await page.locator('#access-token').textContent()) ?? '').length >= 20, 'an access token');
    assert.ok(
      navigations.some((url) => url.startsWith(`${spa!.origin}/callback?code=`)),
      `back at the SPA's callback with a code, went through ${navigations.join(' → ')}`,
    );
    assert.deepEqual(await Promise.all(tokenCalls), [
      { status: 200, origin: spa!.origin, allowOrigin: spa!.origin },
    ]);
    assert.deepEqual(
      problems().filter(onIssuer),
      [],
      'no console errors, CSP violations or failed loads on Tessera',
    );
    assert.deepEqual(problems(), [], 'nor on the SPA');
  });

  it('renews the access token with the refresh token, cross-origin, without leaving the SPA', async (t) => {
    if (!requireBrowser(t)) return;
    reset();
    const before = await page.locator('#access-token').textContent();
    await page.click('#refresh');
    await page.locator('#status:not(:empty)').waitFor();
    assert.equal(await page.locator('#status').textContent(), 'Refreshed');
    const renewed = await page.locator('#access-token').textContent();
    assert.ok(renewed && renewed !== before, 'a new access token');
    assert.deepEqual(await Promise.all(tokenCalls), [
      { status: 200, origin: spa!.origin, allowOrigin: spa!.origin },
    ]);
    assert.deepEqual(navigations, [], 'no navigation');
    assert.deepEqual(problems(), []);
  });

  it('logs out through /v2/logout back to the SPA, and the next login asks for the password again', async (t) => {
    if (!requireBrowser(t)) return;
    reset();
    await page.click('#logout');
    await page.waitForURL(`${spa!.origin}/`);
    assert.equal(await page.locator('#login').isVisible(), true);

    await page.click('#login');
    await page.waitForURL((url) => url.href.startsWith(`${server!.issuer}u/login?`));
    await page.locator('input[name=password]').waitFor();
    assert.deepEqual(problems(), [], 'no console errors, CSP violations or failed loads');
  });

  it("lets an origin outside web_origins send to the token endpoint but never read Tessera's answer", async (t) => {
    if (!requireBrowser(t)) return;
    const probe = async (origin: string) => {
      await page.goto(`${origin}/`);
      return page.evaluate(
        async ({ tokenUrl, clientId, redirectUri }) => {
          try {
            const response = await fetch(tokenUrl, {
              method: 'POST',
              body: new URLSearchParams({
                grant_type: 'authorization_code',
                client_id: clientId,
                code: 'not-a-code',
                redirect_uri: redirectUri,
                code_verifier: 'v'.repeat(43),
              }),
            });
            const body = (await response.json()) as { error?: string };
            return `read ${response.status} ${body.error}`;
          } catch (error) {
            return `blocked: ${error}`;
          }
        },
        {
          tokenUrl: `${server!.issuer}oauth/token`,
          clientId: spa!.clientId,
          redirectUri: `${origin}/callback`,
        },
      );
    };
    // The app's own origin reads even an error answer (the SDKs need `invalid_grant` to start over).
    assert.equal(await probe(spa!.origin), 'read 400 invalid_grant');
    assert.equal(await probe(stranger!.origin), 'blocked: TypeError: Failed to fetch');
  });
});
