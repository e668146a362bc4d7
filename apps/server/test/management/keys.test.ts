import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManagementClient } from 'auth0';
import { decodeProtectedHeader } from 'jose';
import { assertAuth0Error, DOMAIN, fetchTo, type ManagementHarness, startManagement } from './helpers.ts';

// A throwaway self-signed certificate (CN=tessera-test), only to prove how a stored one is shown.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUW3Aw2Br5HwnjweXJ3439hCDOtjkwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMdGVzc2VyYS10ZXN0MB4XDTI2MTEyNzAyNDAxNFoXDTM2MTEy
NDAyNDAxNFowFzEVMBMGA1UEAwwMdGVzc2VyYS10ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAE6HXL0l1HzPYfRZ5WS+3AbrnHRwwdY/hS70BnvFYml+ENln5t
6gMaqbLP2AyOPYQw8xO8s7zUsK9/cH2RqlRtHaNTMFEwHQYDVR0OBBYEFI2hcZKi
nKKoIYGfXGxMjnyynPYEMB8GA1UdIwQYMBaAFI2hcZKinKKoIYGfXGxMjnyynPYE
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgNvi1bgBG5d74tJEl
NDLon+75poX5i4iRe7T/j2pwiJgCIQDgrNJFHDXlzIjkBdxG6DPJz1vuFEp7Qb9L
1HSHpO6rOA==
-----END CERTIFICATE-----`;

const ALL_KEY_SCOPES = ['read:signing_keys', 'create:signing_keys', 'update:signing_keys'];

describe('Management API /keys/signing', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h?.stop());

  /** An SDK client with its own fresh token (the harness's cached token is signed by the first key). */
  const freshSdk = async () =>
    new ManagementClient({
      domain: DOMAIN,
      token: await h.tokenWith(ALL_KEY_SCOPES),
      fetch: fetchTo(h.server.url),
    });
  const stored = (use: 'sig' | 'cookie') =>
    h.server.storage.signingKeys
      .list(h.tenantId, { includeRevoked: true })
      .then((keys) => keys.filter((key) => key.use === use));
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;

  it('lists the signing keys in Auth0 shape, never a cookie key', async () => {
    const keys = await (await freshSdk()).keys.signing.list();
    const sig = await stored('sig');
    const cookie = await stored('cookie');
    assert.ok(cookie.length > 0, 'the tenant has a cookie key to hide');
    assert.deepEqual(keys.map((k) => k.kid).sort(), sig.map((k) => k.kid).sort());
    assert.ok(keys.every((k) => !cookie.some((c) => c.kid === k.kid)));
    assert.equal(keys.filter((k) => k.current).length, 1);
    for (const key of keys) {
      const flags = [key.current, key.next, key.previous, key.revoked];
      assert.ok(flags.every((flag) => typeof flag === 'boolean'));
      assert.equal(flags.filter(Boolean).length, 1, `exactly one state for ${key.kid}`);
      // No certificate is stored with these keys: nothing is made up for cert, fingerprint, thumbprint.
      for (const name of ['cert', 'pkcs7', 'fingerprint', 'thumbprint']) assert.ok(!(name in key), name);
    }
    const current = keys.find((k) => k.current)!;
    assert.equal(current.current_since, sig.find((k) => k.kid === current.kid)!.activatedAt!.toISOString());
  });

  it('reads one key by kid; an unknown kid or a cookie key kid is 404', async () => {
    const sdk = await freshSdk();
    const [first] = await sdk.keys.signing.list();
    const one = await sdk.keys.signing.get(first!.kid);
    assert.deepEqual(one, first);
    assertAuth0Error(await h.call('GET', '/keys/signing/nope'), 404, 'inexistent_signing_key', /not found/);
    const [cookie] = await stored('cookie');
    assertAuth0Error(await h.call('GET', `/keys/signing/${cookie!.kid}`), 404, 'inexistent_signing_key');
  });

  it('shows a stored certificate with its SHA-1 fingerprint and thumbprint, as Auth0 does', async () => {
    const [key] = await stored('sig');
    await h.server.storage.db.prisma.signingKey.update({
      where: { id: key!.id },
      data: { certificate: CERT },
    });
    try {
      const response = await h.call('GET', `/keys/signing/${key!.kid}`);
      assert.equal(response.status, 200);
      const sha1 = createHash('sha1').update(new X509Certificate(CERT).raw).digest('hex').toUpperCase();
      assert.equal(response.body.cert, CERT);
      assert.equal(response.body.thumbprint, sha1);
      assert.equal(response.body.fingerprint, sha1.match(/../g)!.join(':'));
    } finally {
      await h.server.storage.db.prisma.signingKey.update({
        where: { id: key!.id },
        data: { certificate: null },
      });
    }
  });

  it('rotates: the answer names the key that now signs, new tokens carry it, the JWKS lists old and new', async () => {
    const sdk = await freshSdk();
    const before = (await sdk.keys.signing.list()).find((k) => k.current)!;
    const rotated = await sdk.keys.signing.rotate();
    assert.deepEqual(Object.keys(rotated), ['kid']);
    assert.notEqual(rotated.kid, before.kid);

    const keys = await sdk.keys.signing.list();
    assert.equal(keys.find((k) => k.current)!.kid, rotated.kid);
    const old = keys.find((k) => k.kid === before.kid)!;
    assert.equal(old.previous, true);
    assert.ok(old.current_until, 'the old key says when it stopped signing');
    assert.equal(keys.filter((k) => k.next).length, 1, 'a new next key is published');

    // At once, without waiting for the provider cache's periodic re-check.
    const token = await h.tokenWith(['read:signing_keys']);
    assert.equal(kidOf(token), rotated.kid);
    const jwks = (await (await fetch(`${h.server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const published = jwks.keys.map((k) => k.kid);
    assert.ok(published.includes(before.kid) && published.includes(rotated.kid), published.join(','));
  });

  it('answers a raw rotation with 201 and records it as a Management API write', async () => {
    const response = await h.call('POST', '/keys/signing/rotate');
    assert.equal(response.status, 201);
    assert.deepEqual(Object.keys(response.body), ['kid']);
    const deadline = Date.now() + 5_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      const { logs } = await h.server.storage.auditLogs.list(h.tenantId, {
        page: 0,
        perPage: 20,
        types: ['sapi'],
      });
      found = logs.some((log) => log.description === 'Rotate the Application Signing Key');
      if (!found) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(found, 'a sapi event for the rotation');
  });

  it('refuses to revoke the current key (400) and an unknown kid (404); nothing changes', async () => {
    const current = (await stored('sig')).find((k) => k.state === 'current')!;
    assertAuth0Error(
      await h.call('PUT', `/keys/signing/${current.kid}/revoke`),
      400,
      'invalid_body',
      /current signing key cannot be revoked/,
    );
    assertAuth0Error(await h.call('PUT', '/keys/signing/nope/revoke'), 404, 'inexistent_signing_key');
    const [cookie] = await stored('cookie');
    assertAuth0Error(
      await h.call('PUT', `/keys/signing/${cookie!.kid}/revoke`),
      404,
      'inexistent_signing_key',
    );
    assert.equal((await stored('cookie'))[0]!.state, 'current', 'the cookie key was not touched');
    assert.equal((await stored('sig')).find((k) => k.kid === current.kid)!.state, 'current');
  });

  it('after revoking a previous key, a token it signed is refused (401) and new tokens work', async () => {
    const oldToken = await h.tokenWith(['read:signing_keys']);
    const oldKid = kidOf(oldToken)!;
    assert.equal((await h.call('POST', '/keys/signing/rotate')).status, 201);
    assert.equal(
      (await h.call('GET', '/keys/signing', { token: oldToken })).status,
      200,
      'previous keys still verify',
    );

    const revoked = await (await freshSdk()).keys.signing.revoke(oldKid);
    assert.deepEqual(revoked, { kid: oldKid });
    assertAuth0Error(
      await h.call('GET', '/keys/signing', { token: oldToken }),
      401,
      'invalid_token',
      /Invalid token/,
    );

    const newToken = await h.tokenWith(['read:signing_keys']);
    assert.notEqual(kidOf(newToken), oldKid);
    const listed = await h.call('GET', '/keys/signing', { token: newToken });
    assert.equal(listed.status, 200);
    const shown = listed.body.find((k: { kid: string }) => k.kid === oldKid);
    assert.equal(shown.revoked, true);
    assert.match(shown.revoked_at, /^\d{4}-\d\d-\d\dT/);
    const jwks = (await (await fetch(`${h.server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    assert.ok(!jwks.keys.some((k) => k.kid === oldKid), 'the revoked key is no longer published');
    // Revoking again is harmless.
    assert.deepEqual(await (await freshSdk()).keys.signing.revoke(oldKid), { kid: oldKid });
  });

  it('answers 403 insufficient_scope without the scope, and rotates or revokes nothing', async () => {
    const reader = await h.tokenWith(['read:signing_keys']);
    const before = await stored('sig');
    assertAuth0Error(
      await h.call('POST', '/keys/signing/rotate', { token: reader }),
      403,
      'insufficient_scope',
      /create:signing_keys/,
    );
    const previous = before.find((k) => k.state === 'previous')!;
    assertAuth0Error(
      await h.call('PUT', `/keys/signing/${previous.kid}/revoke`, { token: reader }),
      403,
      'insufficient_scope',
      /update:signing_keys/,
    );
    const writer = await h.tokenWith(['create:signing_keys']);
    assertAuth0Error(
      await h.call('GET', '/keys/signing', { token: writer }),
      403,
      'insufficient_scope',
      /read:signing_keys/,
    );
    const after = await stored('sig');
    assert.deepEqual(
      after.map((k) => `${k.kid}:${k.state}`),
      before.map((k) => `${k.kid}:${k.state}`),
    );
  });
});
