import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestEnvironment, type TestEnvironment } from '@tessera/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { boot } from '../../src/boot.ts';
import { freePort } from '../helpers.ts';
import { Browser, createApp, discover, loginWithCode, type OidcTestServer } from '../oidc/helpers.ts';

const CLI = fileURLToPath(new URL('../../../../packages/cli/src/main.ts', import.meta.url));

/**
 * The operator's path with the server stopped, as the embedded database requires: first run, stop,
 * `tessera actions deploy`, start again, log in. The CLI and the server share nothing but the
 * environment (TESSERA_DATA_DIR or DATABASE_URL, TESSERA_MASTER_KEY), as two processes on one host do.
 */
describe('an action deployed with `tessera actions deploy` runs on the next login', () => {
  let environment: TestEnvironment;
  let files: string;
  const ada = { username: 'ada@example.com', password: 'ada has a long password' };

  /** The server as `pnpm start` runs it, on the test's environment (same port every time). */
  const start = async (): Promise<OidcTestServer> => {
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
    const running = await boot({ env: environment.env, logDestination: quiet, console: quiet });
    const { issuer, tenant } = running.firstRun;
    return { ...running, env: environment.env, logs: [], stop: running.close, issuer, tenantId: tenant.id };
  };

  before(async () => {
    const port = await freePort();
    environment = await createTestEnvironment({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    files = await mkdtemp(join(tmpdir(), 'tessera-cli-deploy-'));
  });
  after(async () => {
    await environment.cleanup();
    await rm(files, { recursive: true, force: true });
  });

  it('puts the claims the deployed action sets, one of them from --secrets, in the ID token', async () => {
    const first = await start();
    const app = await createApp(first);
    await first.storage.users.create(first.tenantId, { email: ada.username, password: ada.password });
    await first.close();

    await writeFile(
      join(files, 'plan.js'),
      `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim('https://example.com/plan', event.secrets.PLAN);
        api.idToken.setCustomClaim('https://example.com/email', event.user.email);
      };\n`,
    );
    await writeFile(join(files, 'secrets.json'), JSON.stringify({ PLAN: 'enterprise' }));
    const { INIT_CWD: _inherited, ...inherited } = process.env;
    const cli = spawnSync(
      process.execPath,
      [
        '--no-node-snapshot',
        CLI,
        'actions',
        'deploy',
        'plan.js',
        '--name',
        'plan',
        '--secrets',
        'secrets.json',
      ],
      { cwd: files, env: { ...inherited, ...environment.env }, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /\ndeployed plan version 1 .*\nbound to post-login at position 1 of 1\n$/);

    const server = await start();
    try {
      const config = await discover(server, app.clientId, app.clientSecret);
      const tokens = await loginWithCode(server, config, new Browser(server.issuer), ada);
      const jwks = createRemoteJWKSet(new URL(`${server.issuer}.well-known/jwks.json`));
      const { payload } = await jwtVerify(tokens.id_token!, jwks, { audience: app.clientId });
      assert.equal(payload['https://example.com/plan'], 'enterprise');
      assert.equal(payload['https://example.com/email'], ada.username);
    } finally {
      await server.close();
    }
  });
});
