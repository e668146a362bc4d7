import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '@tessera/storage';
import { openTestStorage } from '@tessera/testing';
import { defaultPostLoginEvent } from '../../src/index.ts';
import { useRuntime } from './helpers.ts';

const fixture = useRuntime({ workers: 1 });

describe('event.secrets from encrypted storage', () => {
  let storage: Storage;
  let drop: () => Promise<void>;
  before(async () => {
    ({ storage, drop } = await openTestStorage());
  });
  after(() => drop());

  test('each bound action receives its own decrypted secrets and nothing else', async () => {
    const tenant = await storage.tenants.create({ name: 'sec', domains: ['sec.test'] });
    const trigger = [{ id: 'post-login', version: 'v3' }];
    const body = `exports.onExecutePostLogin = async (event, api) => {
      const digest = require('crypto').createHash('sha256').update(event.secrets.API_KEY ?? '').digest('hex');
      api.idToken.setCustomClaim('https://t/' + Object.keys(event.secrets).sort().join(','), digest);
    };`;
    const first = await storage.actions.create(tenant.id, {
      name: 'first',
      code: body,
      supportedTriggers: trigger,
      secrets: [
        { name: 'API_KEY', value: 'key-of-first-action' },
        { name: 'REGION', value: 'eu-west' },
      ],
    });
    const second = await storage.actions.create(tenant.id, {
      name: 'second',
      code: body,
      supportedTriggers: trigger,
      secrets: [{ name: 'OTHER', value: 'other-value' }],
    });
    await storage.actions.deploy(tenant.id, first.id);
    await storage.actions.deploy(tenant.id, second.id);
    await storage.actions.bind(tenant.id, 'post-login', [first.id, second.id]);

    const actions = await storage.actions.deployedForTrigger(tenant.id, 'post-login');
    const result = await fixture.runtime.run({
      tenantId: tenant.id,
      trigger: 'post-login',
      event: defaultPostLoginEvent(),
      actions,
    });
    assert.equal(result.outcome, 'completed');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    assert.deepEqual(
      result.commands.map((c) => (c.type === 'idToken.setCustomClaim' ? [c.key, c.value] : c.type)),
      [
        ['https://t/API_KEY,REGION', sha('key-of-first-action')],
        ['https://t/OTHER', sha('')],
      ],
    );
  });
});
