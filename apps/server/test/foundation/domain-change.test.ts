import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FirstRunFile, silentLogger } from '@tessera/core';
import { openStorage } from '@tessera/storage';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import { freePort, listening, logLines, runMain, spawnMain, stopProcess } from '../helpers.ts';

/** One start of `src/main.ts` until it listens; its log lines and what it printed besides. */
async function start(env: Record<string, string>) {
  const proc = spawnMain(env);
  try {
    await listening(proc);
    const url = logLines(proc.stdout).find((line) => line.msg === 'tessera is listening')!;
    return { proc, url: String(url.url), issuer: String(url.issuer) };
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
}

describe('TESSERA_DOMAIN changed between starts', () => {
  let environment: TestEnvironment;
  let env: Record<string, string>;
  const file = () => join(env.TESSERA_DATA_DIR!, 'first-run.json');
  before(async () => {
    environment = await createTestEnvironment({ LOG_LEVEL: 'info' });
    env = { ...environment.env, PORT: String(await freePort()), TESSERA_DOMAIN: 'localhost:3000' };
  });
  after(() => environment.cleanup());

  let before_: FirstRunFile;

  it('moves the tenant to the new domain: issuer, Management API audience, the grant and first-run.json follow', async () => {
    const first = await start(env);
    await stopProcess(first.proc);
    assert.equal(first.issuer, 'http://localhost:3000/');
    before_ = JSON.parse(await readFile(file(), 'utf8'));

    const moved = await start({ ...env, TESSERA_DOMAIN: 'id.example.com' });
    try {
      assert.equal(
        moved.issuer,
        'https://id.example.com/',
        'the new domain with its own scheme, never mixed',
      );
      const warning = logLines(moved.proc.stdout).find((line) => line.from === 'localhost:3000');
      assert.equal(warning?.level, 40, 'the move is a warning naming both domains');
      assert.equal(warning?.to, 'id.example.com');

      // The first-run client still works, for the new audience.
      const token = await fetch(`${moved.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: before_.management.client_id,
          client_secret: before_.management.client_secret,
          audience: 'https://id.example.com/api/v2/',
        }),
      });
      assert.equal(token.status, 200, await token.clone().text());
      const { access_token } = (await token.json()) as { access_token: string };
      const claims = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.iss, 'https://id.example.com/');
      assert.equal(claims.aud, 'https://id.example.com/api/v2/');
    } finally {
      await stopProcess(moved.proc);
    }

    assert.deepEqual(JSON.parse(await readFile(file(), 'utf8')), {
      issuer: 'https://id.example.com/',
      domain: 'id.example.com',
      management: { ...before_.management, audience: 'https://id.example.com/api/v2/' },
    });
  });

  it('leaves exactly one Management API row, one domain and the same client', async () => {
    const storage = await openStorage({
      url: env.DATABASE_URL,
      dataDir: env.TESSERA_DATA_DIR!,
      poolSize: 2,
      bootRetryMs: 0,
      masterKey: Buffer.from(env.TESSERA_MASTER_KEY!, 'hex'),
      log: silentLogger,
    });
    try {
      const tenant = (await storage.tenants.getDefault())!;
      assert.deepEqual(tenant.domains, [{ domain: 'id.example.com', isPrimary: true }]);
      const { resourceServers } = await storage.resourceServers.list(tenant.id, { skip: 0, take: 50 });
      assert.deepEqual(
        resourceServers.filter((api) => api.isSystem).map((api) => api.identifier),
        ['https://id.example.com/api/v2/'],
      );
      const clients = await storage.clients.listByTenant(tenant.id);
      assert.deepEqual(
        clients.map((client) => client.clientId),
        [before_.management.client_id],
      );
      const { grants } = await storage.clientGrants.list(tenant.id, {
        clientId: before_.management.client_id,
        take: 10,
      });
      assert.deepEqual(
        grants.map((grant) => grant.audience),
        ['https://id.example.com/api/v2/'],
      );
    } finally {
      await storage.close();
    }
  });

  it('refuses to start without TESSERA_DOMAIN rather than move a tenant served on a real domain to localhost', async () => {
    const { TESSERA_DOMAIN: _set, ...unset } = env;
    const stored = await readFile(file(), 'utf8');
    const result = await runMain(unset);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      'invalid configuration: TESSERA_DOMAIN: not set, and the default tenant is served at id.example.com: set TESSERA_DOMAIN=id.example.com (or to another domain to move the tenant there)',
    ]);
    assert.equal(await readFile(file(), 'utf8'), stored, 'first-run.json untouched');
    const issuer = await start({ ...env, TESSERA_DOMAIN: 'id.example.com' });
    await stopProcess(issuer.proc);
    assert.equal(issuer.issuer, 'https://id.example.com/', 'the tenant did not move');
    assert.ok(!logLines(issuer.proc.stdout).some((line) => line.level === 40), 'nothing to move back');
  });

  it('moves back when the old domain is set again, and a restart with the same domain changes nothing', async () => {
    const back = await start(env);
    await stopProcess(back.proc);
    assert.equal(back.issuer, 'http://localhost:3000/');
    assert.deepEqual(JSON.parse(await readFile(file(), 'utf8')), before_);
    const again = await start(env);
    await stopProcess(again.proc);
    assert.ok(!logLines(again.proc.stdout).some((line) => line.level === 40), 'no warning');
    assert.deepEqual(JSON.parse(await readFile(file(), 'utf8')), before_);
  });
});
