import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type OidcTestServer, startOidcServer } from './helpers.ts';

const discovery = async (server: OidcTestServer, headers: Record<string, string>) => {
  const response = await fetch(`${server.issuer}.well-known/openid-configuration`, { headers });
  assert.equal(response.status, 200);
  return (await response.json()) as { token_endpoint: string };
};

const FORGED = { 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'https' };

describe('X-Forwarded-* headers reach the provider only from trusted proxies', () => {
  const servers: OidcTestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.stop())));

  it('ignores them from a client that is not a configured proxy, even when proxies are configured', async () => {
    for (const trust of [undefined, '10.0.0.1']) {
      const server = await startOidcServer(trust ? { TESSERA_TRUST_PROXY: trust } : {});
      servers.push(server);
      const metadata = await discovery(server, FORGED);
      assert.equal(new URL(metadata.token_endpoint).host, new URL(server.issuer).host, `trust=${trust}`);
      assert.equal(new URL(metadata.token_endpoint).protocol, 'http:');
    }
  });

  it('believes X-Forwarded-Host from a configured proxy, to pick one of the tenant’s own domains (docs/security.md#45)', async () => {
    const server = await startOidcServer({ TESSERA_TRUST_PROXY: '127.0.0.1' });
    servers.push(server);
    await server.storage.tenants.addDomain(server.tenantId, 'login.example.com');
    const metadata = await discovery(server, {
      'x-forwarded-host': 'login.example.com',
      'x-forwarded-proto': 'https',
    });
    // The scheme is the configured public scheme (http here), never a header's.
    assert.equal(metadata.token_endpoint, 'http://login.example.com/oauth/token');
  });
});
