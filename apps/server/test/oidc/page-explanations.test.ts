import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import {
  authorizationRequest,
  Browser,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
  startOidcSetup,
} from './helpers.ts';

/** An HTML page for a person, 400, no redirect; its text without the markup. */
async function explanation(response: Response): Promise<string> {
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('location'), null, 'never a redirect');
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  return (await response.text())
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&#39;', "'")
    .replace(/\s+/g, ' ');
}

describe('pages that explain themselves in plain words', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  const dana = { username: 'dana@example.com', password: 'dana has a good password' };
  before(async () => {
    ({ server, app, config } = await startOidcSetup({ users: [dana] }));
  });
  after(() => server.stop());

  it('/u/login opened on its own (a bookmark, with or without its old state) says where a login starts', async () => {
    for (const path of ['u/login', `u/login?state=${'x'.repeat(21)}`, 'u/signup', 'u/consent?state=abc']) {
      const text = await explanation(await new Browser(server.issuer).fetch(`${server.issuer}${path}`));
      assert.match(text, /cannot be opened on its own, for example from a bookmark/, path);
      assert.match(text, /Open the application and sign in from there\./, path);
    }
  });

  it('a login in progress in this browser still shows the login form', async () => {
    const browser = new Browser(server.issuer);
    const { url } = await authorizationRequest(config);
    const start = await browser.follow(url.href);
    assert.equal(start.response.status, 200);
    assert.match(await start.response.text(), /name="password"/);
  });

  it('/v2/logout with a returnTo outside the Allowed Logout URLs logs out and says why it does not go there', async () => {
    const browser = new Browser(server.issuer);
    await loginWithCode(server, config, browser, dana);
    const text = await explanation(
      await browser.fetch(
        `${server.issuer}v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: 'https://evil.example.com/' })}`,
      ),
    );
    assert.match(text, /You are logged out/);
    assert.match(text, /not in the application's Allowed Logout URLs/);
    assert.doesNotMatch(text, /evil\.example\.com/, 'the address is not echoed');
    assert.equal(browser.cookies.get('tessera_session'), undefined, 'the session cookie is cleared');
    const { url } = await authorizationRequest(config, { prompt: 'none' });
    const silent = await browser.fetch(url.href);
    const back = new URL(silent.headers.get('location')!);
    assert.equal(back.origin + back.pathname, REDIRECT_URI);
    assert.equal(back.searchParams.get('error'), 'login_required', 'the session really ended');
  });

  it('/v2/logout names what is wrong when the returnTo names no application or an unknown one', async () => {
    const returnTo = 'https://app.example.com/bye';
    const anonymous = await explanation(
      await fetch(`${server.issuer}v2/logout?${new URLSearchParams({ returnTo })}`, { redirect: 'manual' }),
    );
    assert.match(anonymous, /did not say which one it is \(client_id\)/);
    const unknown = await explanation(
      await fetch(`${server.issuer}v2/logout?${new URLSearchParams({ client_id: 'nobody', returnTo })}`, {
        redirect: 'manual',
      }),
    );
    assert.match(unknown, /is not known here/);
  });

  it('/v2/logout still follows an allowed returnTo, and without one shows the logged-out page', async () => {
    const allowed = await fetch(
      `${server.issuer}v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: 'https://app.example.com/bye' })}`,
      { redirect: 'manual' },
    );
    assert.equal(allowed.status, 302);
    assert.equal(allowed.headers.get('location'), 'https://app.example.com/bye');
    const plain = await fetch(`${server.issuer}v2/logout?client_id=${app.clientId}`, { redirect: 'manual' });
    assert.equal(plain.status, 302);
    assert.equal(plain.headers.get('location'), '/oidc/logout/success');
  });
});
