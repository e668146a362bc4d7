import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/core';
import { openTestStorage } from '../../testing/src/database.ts';
import { createSecretBox } from '../src/crypto.ts';
import { createSigningKeyRepository, jwkThumbprint, SIGNING_ALGS } from '../src/repositories/signing-keys.ts';
import type { Storage } from '../src/storage.ts';

let storage: Storage;
let drop: () => Promise<void>;
before(async () => {
  ({ storage, drop } = await openTestStorage());
});
after(() => drop?.());

let counter = 0;
const newTenant = (domains: string[] = []) =>
  storage.tenants.create({ name: `tenant-${++counter}`, domains });

describe('tenants', () => {
  it('finds a tenant by its exact domain, port included, whatever the case', async () => {
    const tenant = await storage.tenants.create({
      name: 'acme',
      friendlyName: 'Acme',
      domains: ['Login.Acme.test', 'localhost:3000'],
    });
    assert.deepEqual(tenant.domains, [
      { domain: 'login.acme.test', isPrimary: true },
      { domain: 'localhost:3000', isPrimary: false },
    ]);
    assert.equal((await storage.tenants.findByDomain('LOGIN.acme.test'))?.id, tenant.id);
    assert.equal((await storage.tenants.findByDomain('localhost:3000'))?.id, tenant.id);
    assert.equal(await storage.tenants.findByDomain('localhost'), undefined);
    assert.equal(await storage.tenants.findByDomain('localhost:3001'), undefined);
    assert.deepEqual(await storage.tenants.findById(tenant.id), tenant);
  });

  it('refuses a second default tenant, even when two are created at once', async () => {
    const results = await Promise.allSettled([
      storage.tenants.create({ name: 'default-a', domains: [], isDefault: true }),
      storage.tenants.create({ name: 'default-b', domains: [], isDefault: true }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(lost[0]?.reason instanceof ConflictError);
    await assert.rejects(
      storage.tenants.create({ name: 'default-c', domains: [], isDefault: true }),
      ConflictError,
    );
    assert.equal((await storage.tenants.getDefault())?.id, won[0]?.value.id);
    assert.equal((await newTenant()).isDefault, false);
  });

  it('refuses a domain another tenant already has, and creates nothing then', async () => {
    const owner = await newTenant(['taken.example']);
    const other = await newTenant();
    await assert.rejects(storage.tenants.addDomain(other.id, 'TAKEN.example'), ConflictError);
    await assert.rejects(
      storage.tenants.create({ name: 'latecomer', domains: ['fresh.example', 'taken.example'] }),
      ConflictError,
    );
    assert.equal(
      await storage.tenants.findByDomain('fresh.example'),
      undefined,
      'the tenant and its domains commit together',
    );
    assert.equal((await storage.tenants.findByDomain('taken.example'))?.id, owner.id);
    assert.deepEqual(await storage.tenants.addDomain(other.id, 'Other.example:8443'), {
      domain: 'other.example:8443',
      isPrimary: false,
    });
  });

  it('rejects what is not a host[:port], and domains of unknown tenants', async () => {
    const tenant = await newTenant();
    for (const bad of ['https://x.example', 'x.example/path', 'a b', '']) {
      await assert.rejects(storage.tenants.addDomain(tenant.id, bad), InvalidRequestError, bad);
    }
    await assert.rejects(storage.tenants.addDomain('no-such-tenant', 'nobody.example'), NotFoundError);
  });
});

describe('clients', () => {
  it('creates an Auth0-shaped client whose secret is shown once and stored only as an HMAC', async () => {
    const tenant = await newTenant();
    const { client, clientSecret } = await storage.clients.create(tenant.id, {
      name: 'web',
      callbacks: ['https://app/cb'],
    });
    assert.match(client.clientId, /^[A-Za-z0-9]{32}$/);
    assert.match(clientSecret, /^[A-Za-z0-9_-]{64}$/);
    assert.deepEqual(client.callbacks, ['https://app/cb']);
    assert.ok(!('secretHash' in client));
    const [raw] = await storage.db.sql.query<{ row: string }>(
      'SELECT row_to_json(c)::text AS row FROM clients c WHERE client_id = $1',
      [client.clientId],
    );
    assert.ok(raw && !raw.row.includes(clientSecret), 'the secret is nowhere in the row');
    assert.ok(raw.row.includes(storage.secretBox.hash(clientSecret, 'client_secret')));
  });

  it('verifies the secret of a client of the tenant, and nothing else', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const { client, clientSecret } = await storage.clients.create(tenant.id, { name: 'm2m' });
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, clientSecret), true);
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, `${clientSecret}x`), false);
    assert.equal(await storage.clients.verifySecret(tenant.id, client.clientId, ''), false);
    assert.equal(await storage.clients.verifySecret(other.id, client.clientId, clientSecret), false);
    assert.equal(await storage.clients.verifySecret(tenant.id, 'unknown', clientSecret), false);
    assert.equal(await storage.clients.findById(other.id, client.clientId), undefined);
    assert.deepEqual(await storage.clients.findById(tenant.id, client.clientId), client);
    assert.deepEqual(await storage.clients.listByTenant(other.id), []);
  });

  it('creates its grants with it, and neither when an audience is unknown', async () => {
    const tenant = await newTenant();
    await storage.resourceServers.create(tenant.id, { identifier: 'https://api.example/', name: 'API' });
    const { client } = await storage.clients.create(tenant.id, {
      name: 'worker',
      grants: [{ audience: 'https://api.example/', scopes: ['read:things'] }],
    });
    const grants = await storage.db.prisma.clientGrant.findMany({ where: { clientId: client.clientId } });
    assert.deepEqual(
      grants.map((g) => [g.audience, g.scope]),
      [['https://api.example/', ['read:things']]],
    );
    await assert.rejects(
      storage.clients.create(tenant.id, {
        name: 'orphan',
        grants: [{ audience: 'https://nowhere/', scopes: [] }],
      }),
      InvalidRequestError,
    );
    assert.deepEqual(
      (await storage.clients.listByTenant(tenant.id)).map((c) => c.name),
      ['worker'],
    );
  });
});

describe('resource servers', () => {
  it('stores an API with its scopes and finds it by identifier, per tenant', async () => {
    const tenant = await newTenant();
    const other = await newTenant();
    const created = await storage.resourceServers.create(tenant.id, {
      identifier: 'https://api.example/',
      name: 'API',
      isSystem: true,
      scopes: [
        { value: 'write:x', description: 'Write x' },
        { value: 'read:x', description: 'Read x' },
      ],
    });
    assert.match(created.id, /^[0-9a-f]{24}$/);
    assert.equal(created.isSystem, true);
    assert.equal(created.signingAlg, 'RS256');
    assert.deepEqual(
      await storage.resourceServers.findByIdentifier(tenant.id, 'https://api.example/'),
      created,
    );
    assert.deepEqual(
      created.scopes.map((s) => s.value),
      ['read:x', 'write:x'],
    );
    assert.equal(await storage.resourceServers.findByIdentifier(other.id, 'https://api.example/'), undefined);
    await assert.rejects(
      storage.resourceServers.create(tenant.id, { identifier: 'https://api.example/', name: 'again' }),
      ConflictError,
    );
    await storage.resourceServers.create(other.id, {
      identifier: 'https://api.example/',
      name: 'same identifier elsewhere',
    });
  });
});

describe('signing keys', () => {
  it('computes RFC 7638 thumbprints (the RFC’s own example)', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    assert.equal(
      jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' }),
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  for (const alg of SIGNING_ALGS) {
    it(`generates ${alg} keys whose kid is the thumbprint and whose private half signs for the public one`, async () => {
      const tenant = await newTenant();
      const key = await storage.signingKeys.create(tenant.id, { alg, use: 'sig', state: 'current' });
      assert.equal(key.kid, jwkThumbprint(key.publicJwk));
      assert.deepEqual([key.publicJwk.kid, key.publicJwk.alg, key.publicJwk.use], [key.kid, alg, 'sig']);
      assert.ok(key.activatedAt);
      const data = Buffer.from('header.payload');
      const digest = alg === 'EdDSA' ? null : 'sha256';
      const signature = sign(digest, data, key.privateKey);
      assert.ok(verify(digest, data, createPublicKey({ key: key.publicJwk, format: 'jwk' }), signature));
    });
  }

  it('keeps private keys encrypted at rest, bound to the master key, and reads them back', async () => {
    const tenant = await newTenant();
    const created = await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'next' });
    const [raw] = await storage.db.sql.query<{ sealed: string }>(
      'SELECT private_key_encrypted AS sealed FROM signing_keys WHERE tenant_id = $1',
      [tenant.id],
    );
    assert.ok(raw && !raw.sealed.includes('PRIVATE KEY'));
    assert.match(raw.sealed, /^v1\./);
    // A repository with an empty cache decrypts from the row.
    const [read] = await createSigningKeyRepository(storage.db.prisma, storage.secretBox).list(tenant.id);
    assert.equal(read?.kid, created.kid);
    assert.equal(read?.state, 'next');
    assert.equal(read?.activatedAt, null);
    const pem = (k: typeof read) => k?.privateKey.export({ type: 'pkcs8', format: 'pem' });
    assert.equal(pem(read), pem(created));
    const wrongKey = createSigningKeyRepository(storage.db.prisma, createSecretBox(randomBytes(32)));
    await assert.rejects(wrongKey.list(tenant.id));
  });
});

describe('tenant deletion', () => {
  it('removes everything the tenant owns', async () => {
    const tenant = await newTenant(['gone.example']);
    await storage.resourceServers.create(tenant.id, {
      identifier: 'https://gone/',
      name: 'API',
      scopes: [{ value: 'a', description: '' }],
    });
    await storage.clients.create(tenant.id, {
      name: 'c',
      grants: [{ audience: 'https://gone/', scopes: ['a'] }],
    });
    await storage.signingKeys.create(tenant.id, { alg: 'ES256', use: 'sig', state: 'current' });
    await storage.db.prisma.tenant.delete({ where: { id: tenant.id } });
    assert.equal(await storage.tenants.findByDomain('gone.example'), undefined);
    assert.deepEqual(await storage.clients.listByTenant(tenant.id), []);
    assert.deepEqual(await storage.signingKeys.list(tenant.id), []);
    assert.equal(await storage.db.prisma.resourceServerScope.count({ where: { tenantId: tenant.id } }), 0);
    assert.equal(await storage.db.prisma.clientGrant.count({ where: { tenantId: tenant.id } }), 0);
  });
});
