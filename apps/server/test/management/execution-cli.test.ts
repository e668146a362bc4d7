import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers.ts';
import { Browser, createApp, discover, loginWithCode, type OidcTestServer } from '../oidc/helpers.ts';
import { runCli } from './cli-process.ts';
import { type ManagementHarness, startManagement } from './helpers.ts';

const CODE = `exports.onExecutePostLogin = async (event, api) => {
  console.log('hello ' + event.user.email);
  api.idToken.setCustomClaim('https://example.com/plan', 'enterprise');
};\n`;

/**
 * `tessera actions execution <id>` while the server runs. On the embedded database the server holds
 * the data folder, so the command asks the server's Management API (with first-run.json's
 * credentials); on Postgres it reads the database as before. Either way it prints the same lines.
 */
describe('tessera actions execution, with the server running', () => {
  let h: ManagementHarness;
  let executionId: string;

  before(async () => {
    const port = await freePort();
    h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    const created = await h.call('POST', '/actions/actions', {
      body: {
        name: 'claims',
        code: CODE,
        supported_triggers: [{ id: 'post-login', version: 'v3' }],
        deploy: true,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bound = await h.call('PATCH', '/actions/triggers/post-login/bindings', {
      body: { bindings: [{ ref: { type: 'action_name', value: 'claims' } }] },
    });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));

    const server: OidcTestServer = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    const ada = { username: 'ada@example.com', password: 'ada has a long password' };
    await h.server.storage.users.create(h.tenantId, { email: ada.username, password: ada.password });
    const app = await createApp(server);
    const config = await discover(server, app.clientId, app.clientSecret);
    await loginWithCode(server, config, new Browser(h.issuer), ada);
    const ran = h.server.logs.find((line) => line.msg === 'post-login trigger ran');
    assert.ok(ran, 'the login ran the trigger');
    executionId = ran.execution as string;
  });
  after(() => h?.stop());

  const execution = (args: string[]) => runCli(['actions', 'execution', ...args], h.server.env);

  it('prints the execution the login’s log line names, as it prints it with the server stopped', async () => {
    const record = (await h.server.storage.executions.get(h.tenantId, executionId))!;
    const [result] = record.results as Array<{
      version_id: string;
      duration_ms: number;
      logs: Array<{ at: number }>;
    }>;
    const exit = await execution([executionId]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(
      exit.stdout,
      [
        `execution ${executionId}: post-login success in ${record.durationMs} ms ` +
          `(${record.startedAt.toISOString()}, user ${record.userId}, client ${record.clientId})`,
        `  claims onExecutePostLogin version ${result!.version_id}: ${result!.duration_ms} ms`,
        '    idToken.setCustomClaim {"key":"https://example.com/plan","value":"enterprise"}',
        `    ${new Date(result!.logs[0]!.at).toISOString()} log   hello ada@example.com`,
        '',
      ].join('\n'),
    );
  });

  it('--json prints the record in the shape the database holds', async () => {
    const exit = await execution([executionId, '--json']);
    assert.equal(exit.code, 0, exit.stderr);
    const printed = JSON.parse(exit.stdout);
    const record = (await h.server.storage.executions.get(h.tenantId, executionId))!;
    assert.deepEqual(
      [printed.id, printed.triggerId, printed.status, printed.userId, printed.clientId, printed.startedAt],
      [record.id, 'post-login', 'success', record.userId, record.clientId, record.startedAt.toISOString()],
    );
    assert.deepEqual(printed.results, JSON.parse(JSON.stringify(record.results)));
  });

  it('an unknown id exits 1 with one line; --tenant reads another tenant only from the database', async () => {
    const unknown = await execution(['00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      h.server.env.DATABASE_URL
        ? 'tessera: no execution 00000000-0000-4000-8000-000000000000 in tenant default\n'
        : `tessera: no execution 00000000-0000-4000-8000-000000000000 in the default tenant (asked ${h.issuer})\n`,
    );
    const tenant = await execution([executionId, '--tenant', 'acme']);
    assert.equal(tenant.code, 1);
    assert.match(
      tenant.stderr,
      h.server.env.DATABASE_URL
        ? /^tessera: unknown tenant acme\n$/
        : /^tessera: --tenant needs the database: the running server is asked with first-run\.json/,
    );
  });
});
