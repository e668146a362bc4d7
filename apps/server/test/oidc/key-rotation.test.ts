import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser, discover, loginWithCode, type OidcTestServer, startOidcSetup } from './helpers.ts';

describe('signing key rotation with overlap', () => {
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  const frank = { username: 'frank@example.com', password: 'frank has a good password' };
  before(async () => {
    ({ server, app } = await startOidcSetup({ users: [frank] }));
  });
  after(() => server.stop());

  it('keeps a token signed before the rotation verifiable, and signs new tokens with the new key', async () => {
    const config = await discover(server, app.clientId, app.clientSecret);
    const before = await loginWithCode(server, config, new Browser(server.issuer), frank);
    const oldKid = decodeProtectedHeader(before.id_token!).kid;

    await server.storage.signingKeys.rotate(server.tenantId, 'sig');
    server.app.tenantProviders.invalidate(server.tenantId);

    const jwksResponse = (await (await fetch(`${server.issuer}.well-known/jwks.json`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    assert.ok(
      jwksResponse.keys.some((key) => key.kid === oldKid),
      'the previous key is still published',
    );
    assert.ok(
      jwksResponse.keys.every((key) => key.d === undefined),
      'no private parts are published',
    );
    assert.equal(jwksResponse.keys.length, 3, 'current, next and previous');

    const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
    await jwtVerify(before.id_token!, jwks, { issuer: server.issuer, audience: app.clientId });

    const after = await loginWithCode(server, config, new Browser(server.issuer), frank);
    const newKid = decodeProtectedHeader(after.id_token!).kid;
    assert.notEqual(newKid, oldKid);
    const current = (await server.storage.signingKeys.list(server.tenantId)).find(
      (k) => k.use === 'sig' && k.state === 'current',
    );
    assert.equal(newKid, current?.kid);
    await jwtVerify(after.id_token!, jwks, { issuer: server.issuer, audience: app.clientId });
  });
});
