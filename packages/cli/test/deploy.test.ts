import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALLOWED_MODULES } from '@tessera/actions';
import type { Storage } from '@tessera/storage';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import { action, folder, tessera, withStorage as withStorageOf } from './helpers.ts';

// The command against a real installation: embedded PGlite in a temporary data dir, or a database of
// its own on the Postgres in DATABASE_URL. The test process opens the same storage between commands
// (never during one: PGlite is single-process) to arrange bindings and to read what was written.

const claim = (value: string) => action(`  api.idToken.setCustomClaim('https://example.com/v', '${value}');`);
const dir = folder({
  'v1.js': claim('v1'),
  'v2.js': claim('v2'),
  'broken.js': action('  const claim = ;'),
  'axios.js': `const axios = require('axios');\n${action('')}`,
  'secrets.json': JSON.stringify({ API_KEY: 'sk_live_cli_deploy' }),
  'truncated.json': '{"API_KEY": ',
  'numbers.json': JSON.stringify({ API_KEY: 42 }),
});

describe('tessera actions deploy', () => {
  let environment: TestEnvironment;
  let tenantId: string;
  let otherTenantId: string;

  const withStorage = <T>(fn: (storage: Storage) => Promise<T>) => withStorageOf(environment, fn);
  const deploy = (args: string[], env: Record<string, string> = {}) =>
    tessera(['actions', 'deploy', ...args], { cwd: dir, env: { ...environment.env, ...env } });
  /** The post-login order by action name, and every action's deployed version number. */
  const state = (tenant = tenantId) =>
    withStorage(async (storage) => {
      const bound = await storage.actions.deployedForTrigger(tenant, 'post-login');
      const versions = await storage.db.sql.query<{ name: string; number: number }>(
        `SELECT a.name, v.number FROM actions a JOIN action_versions v ON v.id = a.deployed_version_id
          WHERE a.tenant_id = $1 ORDER BY a.name`,
        [tenant],
      );
      return {
        order: bound.map((a) => a.name),
        versions: Object.fromEntries(versions.map((v) => [v.name, v.number])),
        running: Object.fromEntries(bound.map((a) => [a.name, { code: a.code, secrets: a.secrets }])),
      };
    });
  const bindByName = (names: string[]) =>
    withStorage(async (storage) => {
      const ids = [];
      for (const name of names) ids.push((await storage.actions.findByName(tenantId, name))!.id);
      await storage.actions.bind(tenantId, 'post-login', ids);
    });

  before(async () => {
    // What the server's first run leaves: the default tenant with a signing key. Plus a second tenant
    // and one action already bound, so "at the end" means after something.
    environment = await createTestEnvironment();
    await withStorage(async (storage) => {
      const tenant = await storage.tenants.create({
        name: 'default',
        domains: ['localhost:3000'],
        isDefault: true,
      });
      await storage.signingKeys.create(tenant.id, { alg: 'RS256', use: 'sig', state: 'current' });
      tenantId = tenant.id;
      otherTenantId = (await storage.tenants.create({ name: 'acme', domains: ['acme.test'] })).id;
      const existing = await storage.actions.create(tenantId, {
        name: 'existing',
        code: claim('existing'),
        supportedTriggers: [{ id: 'post-login', version: 'v3' }],
      });
      await storage.actions.deploy(tenantId, existing.id);
      await storage.actions.bind(tenantId, 'post-login', [existing.id]);
    });
  });
  after(() => environment.cleanup());

  it('creates the action, deploys version 1 and binds it after the actions already bound', async () => {
    const exit = deploy(['v1.js', '--name', 'claims']);
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(
      exit.stdout,
      /^checked v1\.js\ncreated action claims \([0-9a-f-]{36}\)\ndeployed claims version 1 \([0-9a-f-]{36}\)\nbound to post-login at position 2 of 2\n$/,
    );
    assert.equal(exit.stderr, '');
    const after = await state();
    assert.deepEqual(after.order, ['existing', 'claims']);
    assert.deepEqual(after.versions, { claims: 1, existing: 1 });
    assert.deepEqual(after.running.claims, { code: claim('v1'), secrets: {} });
  });

  it('redeploys the same name as version 2 with the new code, keeping its place in the order', async () => {
    await bindByName(['claims', 'existing']);
    const exit = deploy(['v2.js', '--name', 'claims', '--json']);
    assert.equal(exit.status, 0, exit.stderr);
    const report = JSON.parse(exit.stdout);
    assert.deepEqual(Object.keys(report), ['tenant', 'action', 'version', 'binding']);
    assert.equal(report.tenant, 'default');
    assert.deepEqual(report.action.created, false);
    assert.equal(report.version.number, 2);
    assert.deepEqual(report.binding, { trigger: 'post-login', position: 1, total: 2, changed: false });
    const after = await state();
    assert.deepEqual(after.order, ['claims', 'existing']);
    assert.deepEqual(after.versions, { claims: 2, existing: 1 });
    assert.equal(after.running.claims?.code, claim('v2'));
  });

  it('--bind 1 moves the action first, the others keeping their order', async () => {
    await bindByName(['existing', 'claims']);
    const exit = deploy(['v2.js', '--name', 'claims', '--bind', '1']);
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(exit.stdout, /\ndeployed claims version 3 .*\nbound to post-login at position 1 of 2\n$/);
    assert.deepEqual((await state()).order, ['claims', 'existing']);
  });

  it('--no-bind deploys without touching the bindings', async () => {
    const exit = deploy(['v1.js', '--name', 'staged', '--no-bind']);
    assert.equal(exit.status, 0, exit.stderr);
    assert.match(
      exit.stdout,
      /\ndeployed staged version 1 .*\nbindings untouched \(--no-bind\): not bound to post-login, so logins do not run it\n$/,
    );
    const after = await state();
    assert.deepEqual(after.order, ['claims', 'existing']);
    assert.equal(after.versions.staged, 1);
  });

  it('deploys the secrets of --secrets sealed with the action, and keeps them on a redeploy without it', async () => {
    const first = deploy(['v1.js', '--name', 'with-secret', '--secrets', 'secrets.json']);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(!first.stdout.includes('sk_live_cli_deploy'));
    const again = deploy(['v2.js', '--name', 'with-secret']);
    assert.equal(again.status, 0, again.stderr);
    const after = await state();
    assert.deepEqual(after.running['with-secret'], {
      code: claim('v2'),
      secrets: { API_KEY: 'sk_live_cli_deploy' },
    });
    assert.deepEqual(after.order, ['claims', 'existing', 'with-secret']);
  });

  it('deploys to the tenant named by --tenant', async () => {
    const exit = deploy(['v1.js', '--name', 'acme-claims', '--tenant', 'acme', '--json']);
    assert.equal(exit.status, 0, exit.stderr);
    assert.equal(JSON.parse(exit.stdout).tenant, 'acme');
    assert.deepEqual((await state(otherTenantId)).order, ['acme-claims']);
  });

  describe('refusals that write nothing', () => {
    let initial: Awaited<ReturnType<typeof state>>;
    const unchanged = async () => assert.deepEqual(await state(), initial);
    before(async () => {
      initial = await state();
    });

    it('code that fails the deploy check: exit 1, every problem at file:line:column', async () => {
      const exit = deploy(['broken.js', '--name', 'claims']);
      assert.equal(exit.status, 1, exit.stderr);
      assert.equal(exit.stdout, '');
      assert.match(
        exit.stderr,
        /^tessera: broken\.js failed the deploy check \(syntax\); nothing was deployed\n {2}broken\.js:2:17: SyntaxError: Unexpected token.*\n$/,
      );
      const json = deploy(['axios.js', '--name', 'new-name', '--json']);
      assert.equal(json.status, 1);
      assert.deepEqual(JSON.parse(json.stdout), {
        error: {
          kind: 'syntax',
          problems: [
            {
              message: `module "axios" is not available in Tessera actions (allowed: ${ALLOWED_MODULES.join(', ')})`,
              line: 1,
              column: 23,
            },
          ],
        },
      });
      await unchanged();
    });

    it('usage errors: exit 2, on stderr, nothing on stdout', async () => {
      const usage = (args: string[], message: RegExp) => {
        const exit = deploy(args);
        assert.equal(exit.status, 2, exit.stderr);
        assert.equal(exit.stdout, '');
        assert.match(exit.stderr, message);
      };
      usage(
        ['v1.js', '--name', 'claims', '--secrets', 'truncated.json'],
        /^tessera: secrets \S+ is not valid JSON/,
      );
      usage(
        ['v1.js', '--name', 'claims', '--secrets', 'numbers.json'],
        /^tessera: --secrets: API_KEY must be a string\n/,
      );
      usage(
        ['v1.js', '--name', 'claims', '--secrets', 'missing.json'],
        /^tessera: cannot read secrets \S+ ENOENT\n/,
      );
      usage(['v1.js'], /^tessera: actions deploy needs --name <name>\n\nUsage:/);
      usage(['v1.js', '--name', 'claims', '--force'], /^tessera: Unknown option '--force'/);
      usage(['v1.js', '--name', 'claims', '--bind', '0'], /^tessera: --bind must be a position from 1/);
      usage(
        ['v1.js', '--name', 'claims', '--bind', '1', '--no-bind'],
        /^tessera: --bind and --no-bind exclude/,
      );
      usage(['--name', 'claims'], /^tessera: actions deploy needs exactly one action file\n/);
      usage(['missing.js', '--name', 'claims'], /^tessera: cannot read action missing\.js: ENOENT\n/);
      await unchanged();
    });

    it('an unknown tenant, or a position past the end: exit 1', async () => {
      const tenant = deploy(['v1.js', '--name', 'claims', '--tenant', 'nope']);
      assert.equal(tenant.status, 1, tenant.stderr);
      assert.match(tenant.stderr, /^tessera: unknown tenant nope\n$/);
      const position = deploy(['v1.js', '--name', 'fresh', '--bind', '5']);
      assert.equal(position.status, 1, position.stderr);
      assert.match(
        position.stderr,
        /^tessera: --bind 5: post-login would have 4 actions, so the position must be 1 to 4\n$/,
      );
      await unchanged();
    });

    it('a master key that is not the server’s: exit 1, before sealing anything with it', async () => {
      const exit = deploy(['v1.js', '--name', 'claims', '--secrets', 'secrets.json'], {
        TESSERA_MASTER_KEY: 'ab'.repeat(32),
      });
      assert.equal(exit.status, 1, exit.stderr);
      assert.match(exit.stderr, /^tessera: the master key does not open tenant default's secrets/);
      await unchanged();
    });

    it('a data dir with no database: exit 1, and none is created', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'tessera-cli-empty-'));
      try {
        const exit = deploy(['v1.js', '--name', 'claims'], { TESSERA_DATA_DIR: empty, DATABASE_URL: '' });
        assert.equal(exit.status, 1, exit.stderr);
        assert.match(exit.stderr, /^tessera: no Tessera database in \S+: start the server once/);
        assert.deepEqual(await readdir(empty), []);
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    });

    it('the embedded database while another process (the server) holds it: exit 1, saying what to do', {
      skip: process.env.DATABASE_URL ? 'only the embedded database is single-process' : false,
    }, async () => {
      await withStorage(async () => {
        const exit = deploy(['v1.js', '--name', 'claims']);
        assert.equal(exit.status, 1, exit.stderr);
        assert.match(
          exit.stderr,
          new RegExp(
            `^tessera: the embedded database in \\S+ is in use by process ${process.pid} \\(a running Tessera server\\?\\)\\. Stop the server, deploy, then start it again; or run Tessera on Postgres`,
          ),
        );
      });
      await unchanged();
    });
  });
});
