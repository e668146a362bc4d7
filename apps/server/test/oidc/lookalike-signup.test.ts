import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addLoopbackTenant,
  authorizationRequest,
  Browser,
  createApp,
  discover,
  formOf,
  loginWithCode,
  type OidcTestServer,
  postForm,
  REDIRECT_URI,
  startOidcServer,
} from './helpers.ts';

// docs/security.md#49: with sign-up enabled, an address NFKC-equal to an existing account's, or
// confusable with it (UTS #39), gets exactly the page a taken address gets, and a login typed in
// another NFKC-equal spelling reaches the existing account.

const JEFF = { email: 'jeff.x@example.com', password: 'jeff has a long password' };
const LOOKALIKES = {
  'ff ligature (U+FB00)': 'je\u{fb00}.x@example.com',
  fullwidth: '\u{ff4a}\u{ff45}\u{ff46}\u{ff46}.x@example.com',
  'Cyrillic е (U+0435)': 'j\u{435}ff.x@example.com',
};

describe('look-alike addresses at sign-up', () => {
  let server: OidcTestServer;
  let open: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let jeffId: string;
  const countUsers = () => server.storage.db.prisma.user.count({ where: { tenantId: open.tenantId } });

  before(async () => {
    server = await startOidcServer();
    open = await addLoopbackTenant(server, 'open', { signup_enabled: true });
    app = await createApp(open);
    jeffId = (await server.storage.users.create(open.tenantId, JEFF)).user_id;
  });
  after(() => server.stop());

  /** A browser on the sign-up page of a fresh login transaction. */
  async function signupPage() {
    const config = await discover(open, app.clientId, app.clientSecret);
    const request = await authorizationRequest(config);
    const browser = new Browser(open.issuer);
    const start = await browser.follow(request.url.href);
    const state = new URL(start.url).searchParams.get('state');
    assert.ok(state);
    const page = await browser.fetch(`/u/signup?state=${state}`);
    assert.equal(page.status, 200);
    return { browser, state, ...formOf(await page.text()) };
  }

  /** Posts a sign-up; the answer with what differs between two transactions (state, token, the typed address) taken out. */
  async function signUp(email: string) {
    const { browser, state, csrf, action } = await signupPage();
    const answer = await postForm(browser, action, {
      _csrf: csrf,
      email,
      password: 'a long enough password',
    });
    const html = await answer.response.text();
    return {
      url: answer.url.replaceAll(state, '<state>'),
      status: answer.response.status,
      contentType: answer.response.headers.get('content-type'),
      page: html.replaceAll(state, '<state>').replaceAll(csrf, '<csrf>').replaceAll(email, '<email>'),
    };
  }

  it('answers every look-alike of an existing address exactly as the taken address itself, and creates nobody', async () => {
    const before = await countUsers();
    const taken = await signUp(JEFF.email);
    assert.equal(taken.status, 409);
    assert.match(taken.page, /An account with this email already exists\./);
    assert.match(taken.page, /value="<email>"/);
    for (const [name, email] of Object.entries(LOOKALIKES)) {
      assert.deepEqual(await signUp(email), taken, name);
    }
    assert.equal(await countUsers(), before);
    assert.equal((await server.storage.users.findById(open.tenantId, jeffId))?.logins_count, 0);
  });

  it('signs up a distinct address that merely resembles in part', async () => {
    const before = await countUsers();
    const done = await signUp('jeff.y@example.com');
    assert.ok(done.url.startsWith(REDIRECT_URI), `back at the app, got ${done.url} (${done.status})`);
    assert.equal(await countUsers(), before + 1);
  });

  it('lets one of two look-alike sign-ups racing each other through, the other gets 409', async () => {
    const before = await countUsers();
    const pages = await Promise.all([signupPage(), signupPage()]);
    const answers = await Promise.all(
      ['jeff.z@example.com', 'j\u{435}ff.z@example.com'].map((email, i) => {
        const page = pages[i]!;
        return postForm(page.browser, page.action, {
          _csrf: page.csrf,
          email,
          password: 'a long enough password',
        });
      }),
    );
    const outcomes = answers.map((a) => (a.url.startsWith(REDIRECT_URI) ? 'app' : a.response.status)).sort();
    assert.deepEqual(outcomes, [409, 'app']);
    assert.equal(await countUsers(), before + 1);
  });

  it('logs in the existing user when the address is typed in fullwidth characters, `＠` included', async () => {
    const config = await discover(open, app.clientId, app.clientSecret);
    const tokens = await loginWithCode(open, config, new Browser(open.issuer), {
      // Every character fullwidth: ｊｅｆｆ．ｘ＠ｅｘａｍｐｌｅ．ｃｏｍ.
      username: JEFF.email.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
      password: JEFF.password,
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, jeffId);
    assert.equal(claims?.email, JEFF.email);
  });
});
