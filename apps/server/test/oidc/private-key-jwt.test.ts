import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { type OidcTestServer, startOidcServer } from './helpers.ts';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('private_key_jwt client authentication (RFC 7523)', () => {
  let server: OidcTestServer;
  const AUDIENCE = 'https://reports.example.com/';
  before(async () => {
    server = await startOidcServer();
    await server.storage.resourceServers.create(server.tenantId, {
      identifier: AUDIENCE,
      name: 'Reports',
      scopes: [{ value: 'read:reports', description: 'Read' }],
    });
  });
  after(() => server.stop());

  const machineWithKey = async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    const { client } = await server.storage.clients.create(server.tenantId, {
      name: 'Signed worker',
      appType: 'non_interactive',
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
      grants: [{ audience: AUDIENCE, scopes: ['read:reports'] }],
    });
    return { clientId: client.clientId, privateKey };
  };

  const configFor = (clientId: string, key: PrivateKey) =>
    oidc.discovery(new URL(server.issuer), clientId, undefined, oidc.PrivateKeyJwt({ key, kid: 'key-1' }), {
      execute: [oidc.allowInsecureRequests],
    });

  it('authenticates a client by an assertion signed with its registered key', async () => {
    const machine = await machineWithKey();
    const tokens = await oidc.clientCredentialsGrant(await configFor(machine.clientId, machine.privateKey), {
      audience: AUDIENCE,
    });
    assert.equal(tokens.scope, 'read:reports');
  });

  it('refuses an assertion signed with another key, and a client secret where a key is required', async () => {
    const machine = await machineWithKey();
    const { privateKey: stranger } = await generateKeyPair('RS256', { extractable: true });
    await assert.rejects(
      oidc.clientCredentialsGrant(await configFor(machine.clientId, stranger), { audience: AUDIENCE }),
      { error: 'invalid_client' },
    );
    const withSecret = await oidc.discovery(
      new URL(server.issuer),
      machine.clientId,
      undefined,
      oidc.ClientSecretPost('guess'),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    await assert.rejects(oidc.clientCredentialsGrant(withSecret, { audience: AUDIENCE }), {
      error: 'invalid_client',
    });
  });
  it('stops accepting the key once the client no longer registers it', async () => {
    const machine = await machineWithKey();
    const updated = await server.storage.clients.update(server.tenantId, machine.clientId, { jwks: null });
    assert.equal(updated.jwks, null);
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // clients are reused for up to 5 s
    await assert.rejects(
      oidc.clientCredentialsGrant(await configFor(machine.clientId, machine.privateKey), {
        audience: AUDIENCE,
      }),
      { error: 'invalid_client' },
    );
  });
});
