import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tessera/core';
import { openStorage } from '@tessera/storage';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import { freePort, logLines, runMain } from '../helpers.ts';

/** The key the server used: the one given, or the one it generated into the data folder. */
const masterKeyOf = async (env: Record<string, string>) =>
  Buffer.from(
    env.TESSERA_MASTER_KEY ?? (await readFile(join(env.TESSERA_DATA_DIR!, 'master.key'), 'utf8')).trim(),
    'hex',
  );

const listening = (stdout: string) => logLines(stdout).some((line) => line.msg === 'tessera is listening');

describe('first run of `pnpm start` with no configuration', () => {
  let environment: TestEnvironment;
  let env: Record<string, string>;
  let port: number;
  before(async () => {
    environment = await createTestEnvironment();
    port = await freePort();
    // Nothing but the data folder, the database of this test and a free port: no master key, no domain.
    // A shared database is the exception: there the key must be given (master-key-required.test.ts).
    env = { TESSERA_DATA_DIR: join(environment.dataDir, 'nested', 'data'), PORT: String(port) };
    if (environment.env.DATABASE_URL) {
      env.DATABASE_URL = environment.env.DATABASE_URL;
      env.TESSERA_MASTER_KEY = environment.env.TESSERA_MASTER_KEY!;
    }
  });
  after(() => environment.cleanup());

  let first: Awaited<ReturnType<typeof runMain>>;
  let credentials: {
    issuer: string;
    domain: string;
    management: { client_id: string; client_secret: string; audience: string };
  };

  it('creates the data folder, prints the issuer and the management credentials once, and writes first-run.json (0600)', async () => {
    first = await runMain(env, { until: listening });
    assert.equal(first.code, 0, first.stderr);
    credentials = JSON.parse(await readFile(join(env.TESSERA_DATA_DIR!, 'first-run.json'), 'utf8'));
    assert.deepEqual(Object.keys(credentials), ['issuer', 'domain', 'management']);
    assert.equal(credentials.issuer, `http://localhost:${port}/`);
    assert.equal(credentials.domain, `localhost:${port}`);
    assert.equal(credentials.management.audience, `http://localhost:${port}/api/v2/`);
    assert.match(credentials.management.client_id, /^[A-Za-z0-9]{32}$/);
    assert.ok(credentials.management.client_secret.length >= 48);
    assert.equal((await stat(join(env.TESSERA_DATA_DIR!, 'first-run.json'))).mode & 0o777, 0o600);
    if (env.DATABASE_URL) {
      await assert.rejects(stat(join(env.TESSERA_DATA_DIR!, 'master.key')), { code: 'ENOENT' });
    } else {
      assert.equal((await stat(join(env.TESSERA_DATA_DIR!, 'master.key'))).mode & 0o777, 0o600);
    }
    // README "The two commands": the same JSON as first-run.json, as one line of stdout.
    const printed = logLines(first.stdout).filter((line) => !('level' in line));
    assert.deepEqual(printed, [credentials], 'the secret is shown on the first run');
    const logged = logLines(first.stdout).filter((line) => 'level' in line);
    assert.ok(
      !JSON.stringify(logged).includes(credentials.management.client_secret),
      'but never in a log line',
    );
  });

  it('changes nothing when restarted', async () => {
    const before = await readFile(join(env.TESSERA_DATA_DIR!, 'first-run.json'), 'utf8');
    const second = await runMain(env, { until: listening });
    assert.equal(second.code, 0, second.stderr);
    assert.ok(!second.stdout.includes('client_secret'), 'no new credentials on a restart');
    assert.equal(await readFile(join(env.TESSERA_DATA_DIR!, 'first-run.json'), 'utf8'), before);
  });

  it('stored one tenant with a current signing key and one management client whose secret verifies', async () => {
    const storage = await openStorage({
      url: env.DATABASE_URL,
      dataDir: env.TESSERA_DATA_DIR!,
      poolSize: 2,
      bootRetryMs: 0,
      masterKey: await masterKeyOf(env),
      log: silentLogger,
    });
    try {
      const tenant = await storage.tenants.getDefault();
      assert.ok(tenant);
      assert.equal(tenant.name, 'default');
      const keys = await storage.signingKeys.list(tenant.id);
      assert.deepEqual(keys.map((k) => [k.alg, k.use, k.state]).sort(), [
        ['HS256', 'cookie', 'current'],
        ['RS256', 'sig', 'current'],
      ]);
      const clients = await storage.clients.listByTenant(tenant.id);
      assert.equal(clients.length, 1);
      assert.equal(
        await storage.clients.verifySecret(
          tenant.id,
          credentials.management.client_id,
          credentials.management.client_secret,
        ),
        true,
      );
      assert.equal(
        await storage.clients.verifySecret(tenant.id, credentials.management.client_id, 'wrong'),
        false,
      );
      assert.ok(await storage.resourceServers.findByIdentifier(tenant.id, credentials.management.audience));
    } finally {
      await storage.close();
    }
  });

  it('on a restart after an upgrade, adds the Management API scopes the installation lacked, to the API and to the first-run client', async () => {
    const open = async () =>
      openStorage({
        url: env.DATABASE_URL,
        dataDir: env.TESSERA_DATA_DIR!,
        poolSize: 2,
        bootRetryMs: 0,
        masterKey: await masterKeyOf(env),
        log: silentLogger,
      });
    const { audience, client_id: clientId } = credentials.management;
    const newer = ['read:guardian_factors', 'update:guardian_factors'];
    // An installation from before these scopes existed.
    let storage = await open();
    try {
      const tenant = (await storage.tenants.getDefault())!;
      const api = (await storage.resourceServers.findByIdentifier(tenant.id, audience))!;
      await storage.resourceServers.update(tenant.id, api.id, {
        scopes: api.scopes.filter((s) => !newer.includes(s.value)),
      });
      const { grants } = await storage.clientGrants.list(tenant.id, { clientId, audience, take: 1 });
      await storage.clientGrants.update(
        tenant.id,
        grants[0]!.id,
        grants[0]!.scope.filter((s) => !newer.includes(s)),
      );
    } finally {
      await storage.close();
    }
    const restarted = await runMain(env, { until: listening });
    assert.equal(restarted.code, 0, restarted.stderr);
    storage = await open();
    try {
      const tenant = (await storage.tenants.getDefault())!;
      const api = (await storage.resourceServers.findByIdentifier(tenant.id, audience))!;
      for (const scope of newer)
        assert.ok(
          api.scopes.some((s) => s.value === scope),
          `the API declares ${scope}`,
        );
      const { grants } = await storage.clientGrants.list(tenant.id, { clientId, audience, take: 1 });
      for (const scope of newer)
        assert.ok(grants[0]!.scope.includes(scope), `the client is granted ${scope}`);
    } finally {
      await storage.close();
    }
  });
});
