import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestStorage } from '../../testing/src/database.ts';
import { keysStamp, type Storage, type Tenant } from '../src/index.ts';

describe('signing key stamp', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  let tenant: Tenant;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
    tenant = await storage.tenants.create({ name: 'stamped', domains: ['stamped.test'] });
    await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
    await storage.signingKeys.create(tenant.id, { alg: 'HS256', use: 'cookie', state: 'current' });
  });
  after(() => drop());

  it('matches the stamp of the listed keys and changes with every rotation and revocation', async () => {
    const first = await storage.signingKeys.stamp(tenant.id);
    assert.equal(first, keysStamp(await storage.signingKeys.list(tenant.id)));
    await storage.signingKeys.rotate(tenant.id, 'sig');
    const rotated = await storage.signingKeys.stamp(tenant.id);
    assert.notEqual(rotated, first);
    assert.equal(rotated, keysStamp(await storage.signingKeys.list(tenant.id)));
    const previous = (await storage.signingKeys.list(tenant.id)).find((key) => key.state === 'previous')!;
    await storage.signingKeys.revoke(tenant.id, previous.kid);
    const revoked = await storage.signingKeys.stamp(tenant.id);
    assert.notEqual(revoked, rotated);
    assert.ok(!revoked.includes(previous.kid), 'revoked keys are not part of it');
  });
});
