import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
    assert.equal(reset.body.session_lifetime, 72, 'the default again');
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

// SECURITY.md 40: malformed JSON, unknown fields, oversized bodies → 400/413 naming the problem;
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
