import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { freePort } from '../helpers.ts';
import {
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
  REDIRECT_URI,
} from '../oidc/helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

describe('tenant settings and MFA factors', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  it('reads and merges tenant settings through the SDK; null restores the default', async () => {
    const updated = await h.management.tenants.settings.update({
      friendly_name: 'Acme',
      session_lifetime: 12,
    } as never);
    assert.equal((updated as { friendly_name?: string }).friendly_name, 'Acme');
    await h.call('PATCH', '/tenants/settings', { body: { actions_allow_http_redirects: true } });
    const read = (await h.management.tenants.settings.get()) as Record<string, unknown>;
    assert.equal(read.friendly_name, 'Acme');
    assert.equal(read.session_lifetime, 12, 'a later PATCH of another setting kept this one');
    assert.equal(read.actions_allow_http_redirects, true);
    await h.call('PATCH', '/tenants/settings', { body: { session_lifetime: null } });
    const reset = await h.call('GET', '/tenants/settings');
    assert.equal(reset.body.session_lifetime, 168, 'the default again (Auth0’s: 7 days)');
    assert.equal(reset.body.actions_allow_http_redirects, true);
  });

  it('refuses unknown settings and bad values, and changes nothing', async () => {
    const before = await h.call('GET', '/tenants/settings');
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', { body: { session_lifetime: 5, colour: 'red' } }),
      400,
      'invalid_body',
      /Additional properties not allowed: colour/,
    );
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', { body: { session_lifetime: '5' } }),
      400,
      'invalid_body',
      /Expected type number,null but found type string on property session_lifetime|Expected type .* on property session_lifetime/,
    );
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', {
        body: { actions_fetch_allow: ['169.254.169.254'] },
      }),
      400,
      'invalid_body',
    );
    assert.deepEqual((await h.call('GET', '/tenants/settings')).body, before.body);
  });

  it('lists the MFA factors off by default and switches one at a time', async () => {
    const factors = await h.call('GET', '/guardian/factors');
    assert.equal(factors.status, 200);
    assert.ok(factors.body.every((f: { enabled: boolean }) => f.enabled === false));
    assert.ok(factors.body.some((f: { name: string }) => f.name === 'otp'));
    await Promise.all([
      h.call('PUT', '/guardian/factors/otp', { body: { enabled: true } }),
      h.call('PUT', '/guardian/factors/webauthn-roaming', { body: { enabled: true } }),
    ]);
    const after = await h.call('GET', '/guardian/factors');
    const enabled = after.body
      .filter((f: { enabled: boolean }) => f.enabled)
      .map((f: { name: string }) => f.name);
    assert.deepEqual(enabled.sort(), ['otp', 'webauthn-roaming']);
    assertAuth0Error(
      await h.call('PUT', '/guardian/factors/carrier-pigeon', { body: { enabled: true } }),
      404,
      'inexistent_factor',
    );
    assertAuth0Error(
      await h.call('PUT', '/guardian/factors/otp', { body: { enabled: 'yes' } }),
      400,
      'invalid_body',
    );
  });
});

// docs/security.md#40: malformed JSON, unknown fields, oversized bodies → 400/413 naming the problem;
// nothing half-written.
describe('bad request bodies', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  it('answers malformed JSON with 400 invalid_body', async () => {
    const response = await h.call('PATCH', '/tenants/settings', { raw: '{"friendly_name": "x",' });
    assertAuth0Error(response, 400, 'invalid_body', /JSON/);
  });

  it('answers an empty JSON body with 400', async () => {
    assertAuth0Error(await h.call('PATCH', '/tenants/settings', { raw: '' }), 400, 'invalid_body');
  });

  it('refuses a __proto__ key instead of merging it', async () => {
    const response = await h.call('PATCH', '/tenants/settings', { raw: '{"__proto__": {"polluted": true}}' });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('answers a body over the limit with 413 before reading it all', async () => {
    const response = await h.call('PATCH', '/tenants/settings', {
      raw: JSON.stringify({ friendly_name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assertAuth0Error(response, 413, 'payload_too_large');
  });

  it('answers a form-encoded or text body with 415', async () => {
    const response = await h.call('PATCH', '/tenants/settings', {
      raw: 'friendly_name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertAuth0Error(response, 415, 'unsupported_media_type');
  });

  it('answers a text/plain body with 415, not as a string to validate', async () => {
    const response = await h.call('PATCH', '/tenants/settings', {
      raw: '{"friendly_name":"x"}',
      headers: { 'content-type': 'text/plain' },
    });
    assertAuth0Error(response, 415, 'unsupported_media_type');
  });

  it('takes a JSON content type with an empty body as no body on body-less operations', async () => {
    const response = await h.call('POST', '/keys/signing/rotate', { raw: '' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  });

  it('refuses a body on an operation that takes none', async () => {
    const before = await h.call('GET', '/keys/signing');
    assertAuth0Error(
      await h.call('POST', '/keys/signing/rotate', { body: { alg: 'ES256' } }),
      400,
      'invalid_body',
      /takes no request body/,
    );
    assert.deepEqual((await h.call('GET', '/keys/signing')).body, before.body);
  });

  it('refuses NUL and lone surrogates in path, query and body with 400, and still audits the attempt', async () => {
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', { raw: '{"friendly_name":"a\\u0000b"}' }),
      400,
      'invalid_body',
      /NUL/,
    );
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', { raw: '{"friendly_name":"a\\ud800b"}' }),
      400,
      'invalid_body',
    );
    assertAuth0Error(await h.call('GET', '/logs?search=type%3As%00'), 400, 'invalid_query_string');
    assertAuth0Error(await h.call('GET', '/logs/abc%00'), 400, 'invalid_uri');
    type Log = { details?: { request?: { body?: { friendly_name?: string } } } };
    const refused = async () =>
      ((await h.call('GET', '/logs?search=type:fapi')).body as Log[])
        .map((log) => log.details?.request?.body?.friendly_name)
        .filter((name) => name?.startsWith('a') && name.endsWith('b'));
    let names = await refused();
    for (let i = 0; i < 50 && names.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      names = await refused();
    }
    // Stored with the unstorable character replaced, so the attempt is on record.
    assert.deepEqual(names, ['a\uFFFDb', 'a\uFFFDb']);
  });

  it('pages logs only through the first 1000 (checkpoints beyond)', async () => {
    assertAuth0Error(
      await h.call('GET', '/logs?page=10&per_page=100'),
      400,
      'invalid_query_string',
      /from and take/,
    );
    assert.equal((await h.call('GET', '/logs?page=9&per_page=100')).status, 200);
  });

  it('refuses an unknown query parameter with invalid_query_string', async () => {
    assertAuth0Error(await h.call('GET', '/logs?pages=2'), 400, 'invalid_query_string', /pages/);
    assertAuth0Error(await h.call('GET', '/logs?per_page=1000'), 400, 'invalid_query_string', /per_page/);
  });
});

// Auth0's tenant settings as its SDK and deploy CLI send them (docs/management-api.md#tenant-settings): the ones
// Tessera acts on take effect, the others are kept and returned, and none is silently dropped.
describe('Auth0 tenant settings', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  const settings = async () => (await h.call('GET', '/tenants/settings')).body;

  it('takes session lifetimes in minutes and answers in hours, never both forms of one at once', async () => {
    const updated = (await h.management.tenants.settings.update({
      session_lifetime_in_minutes: 90,
      idle_session_lifetime_in_minutes: 30,
    })) as Record<string, unknown>;
    assert.equal(updated.session_lifetime, 1.5);
    assert.equal(updated.idle_session_lifetime, 0.5);
    const read = await settings();
    assert.deepEqual([read.session_lifetime, read.idle_session_lifetime], [1.5, 0.5]);
    assert.equal(read.session_lifetime_in_minutes, undefined, 'GET answers in hours, as Auth0');
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', {
        body: { session_lifetime: 2, session_lifetime_in_minutes: 120 },
      }),
      400,
      'invalid_body',
      /'session_lifetime_in_minutes' cannot be specified together with 'session_lifetime'/,
    );
    for (const minutes of [0, 1.5, 525_601, '60'])
      assertAuth0Error(
        await h.call('PATCH', '/tenants/settings', { body: { idle_session_lifetime_in_minutes: minutes } }),
        400,
        'invalid_body',
        /idle_session_lifetime_in_minutes/,
      );
    await h.call('PATCH', '/tenants/settings', {
      body: { session_lifetime_in_minutes: null, idle_session_lifetime: null },
    });
    const reset = await settings();
    assert.deepEqual([reset.session_lifetime, reset.idle_session_lifetime], [168, 72], 'Auth0’s defaults');
  });

  it('imports the tenant block of an Auth0 export (as the deploy CLI sends it) and returns it', async () => {
    const exported = {
      allowed_logout_urls: ['https://mycompany.org/logoutCallback'],
      enabled_locales: ['en', 'fr-CA'],
      flags: {
        enable_sso: true,
        revoke_refresh_token_grant: false,
        disable_clickjack_protection_headers: false,
      },
      friendly_name: 'My Test Tenant',
      picture_url: 'https://mycompany.org/logo.png',
      session_cookie: { mode: 'non-persistent' },
      support_email: 'support@mycompany.org',
      support_url: 'https://mycompany.org/support',
      universal_login: { colors: { primary: '#F8F8F2', page_background: '#222221' } },
      sandbox_version: '22',
      default_redirection_uri: 'https://mycompany.org/login',
      device_flow: { charset: 'base20', mask: '****-****' },
      oidc_logout: { rp_logout_end_session_endpoint_discovery: true },
      sessions: { oidc_logout_prompt_enabled: false },
      error_page: { html: '', show_log_link: false, url: 'https://mycompany.org/error' },
      session_lifetime_in_minutes: 181,
      idle_session_lifetime_in_minutes: 60,
    };
    const response = await h.call('PATCH', '/tenants/settings', { body: exported });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { session_lifetime_in_minutes: _s, idle_session_lifetime_in_minutes: _i, ...kept } = exported;
    const read = await settings();
    for (const [name, value] of Object.entries(kept)) assert.deepEqual(read[name], value, name);
    assert.equal(read.session_lifetime, 181 / 60);
    assert.equal(read.idle_session_lifetime, 1);
  });

  it('merges flags flag by flag; null removes a stored setting', async () => {
    await h.call('PATCH', '/tenants/settings', {
      body: { flags: { enable_sso: true }, support_url: 'https://a.example/' },
    });
    await h.call('PATCH', '/tenants/settings', {
      body: { flags: { enable_public_signup_user_exists_error: true } },
    });
    const read = await settings();
    assert.equal(read.flags.enable_sso, true, 'a flag not sent keeps its value');
    assert.equal(read.flags.enable_public_signup_user_exists_error, true);
    await h.call('PATCH', '/tenants/settings', { body: { support_url: null } });
    assert.equal('support_url' in (await settings()), false);
  });

  it('refuses wrong types, unknown members and unknown settings, changing nothing', async () => {
    const before = await settings();
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ flags: { enable_sso: 'yes' } }, /flags/],
      [{ flags: { 'Bad Flag': true } }, /flags/],
      [{ session_cookie: { mode: 'sometimes' } }, /No enum match/],
      [{ error_page: { colour: 'red' } }, /Additional properties not allowed: colour/],
      [{ enabled_locales: ['<script>'] }, /enabled_locales/],
      [{ picture_url: 7 }, /picture_url/],
      [
        { sandbox_versions_available: ['22'] },
        /Additional properties not allowed: sandbox_versions_available/,
      ],
      [{ friendly_name: 'Still Acme', dark_mode: true }, /Additional properties not allowed: dark_mode/],
    ];
    for (const [body, message] of refusals)
      assertAuth0Error(await h.call('PATCH', '/tenants/settings', { body }), 400, 'invalid_body', message);
    assert.deepEqual(await settings(), before);
  });

  it('takes a default directory that names a connection (the password grant uses it), and refuses others', async () => {
    const set = await h.call('PATCH', '/tenants/settings', {
      body: { default_directory: 'Username-Password-Authentication' },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await settings()).default_directory, 'Username-Password-Authentication');
    assertAuth0Error(
      await h.call('PATCH', '/tenants/settings', { body: { default_directory: 'corporate-ldap' } }),
      400,
      'invalid_body',
      /no connection is named 'corporate-ldap' on property default_directory/,
    );
    assert.equal((await settings()).default_directory, 'Username-Password-Authentication');
  });
});

// Auth0's "Inactivity timeout" (idle_session_lifetime) and "Require log in after" (session_lifetime):
// each use of a session extends it by the idle lifetime, never past the absolute one from its login.
// The session's record in the store shows when it ends; the login is aged in place, as expiry.test.ts does.
describe('tenant session lifetimes reach sessions', () => {
  let h: ManagementHarness;
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const ada = { username: 'ada@example.com', password: 'ada has a good password' };
  before(async () => {
    const port = await freePort();
    h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    server = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    app = await createApp(server);
    await h.server.storage.users.create(h.tenantId, { email: ada.username, password: ada.password });
  });
  after(() => h?.stop());

  const key = (id: string) => `t:${h.tenantId}:oidc:Session:id:${id}`;
  const stored = async (id: string) =>
    JSON.parse((await h.server.kv.get(key(id)))!) as { exp: number; loginTs: number };
  const now = () => Math.floor(Date.now() / 1000);
  const near = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) <= 5, `${what}: ${actual} s, expected about ${expected} s`);

  it('ends a session after the idle lifetime unused, and at the absolute lifetime from its login however used', async () => {
    await h.management.tenants.settings.update({
      idle_session_lifetime_in_minutes: 30,
      session_lifetime_in_minutes: 600,
    });
    const browser = new Browser(h.issuer);
    await loginWithCode(server, await discover(server, app.clientId, app.clientSecret), browser, ada, {
      scope: 'openid',
    });
    const sessionId = browser.cookies.get('tessera_session')!;
    const login = await stored(sessionId);
    near(login.exp - now(), 30 * 60, 'after the login, the idle lifetime');

    // Logged in 590 minutes ago: using the session now may extend it by 10 minutes only.
    await h.server.kv.set(
      key(sessionId),
      JSON.stringify({ ...login, loginTs: now() - 590 * 60 }),
      await h.server.kv.ttl(key(sessionId)),
    );
    const sso = await browser.fetch(
      `${h.issuer}authorize?${new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        prompt: 'none',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      })}`,
    );
    assert.ok(new URL(sso.headers.get('location')!).searchParams.get('code'), 'the session still works');
    const used = await stored(browser.cookies.get('tessera_session')!);
    near(used.exp - now(), 10 * 60, 'after a use near the end, what is left of the absolute lifetime');
    await h.management.tenants.settings.update({
      idle_session_lifetime: null,
      session_lifetime: null,
    } as never);
  });
});
