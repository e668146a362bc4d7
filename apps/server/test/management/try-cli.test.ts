import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers.ts';
import { Browser } from '../oidc/helpers.ts';
import { startCli } from './cli-process.ts';
import { type ManagementHarness, startManagement } from './helpers.ts';

const API = 'https://api.example.com/';
const CLAIMS = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/plan', 'enterprise');
  api.accessToken.setCustomClaim('https://example.com/email', event.user.email);
};\n`;
const DENY = `exports.onExecutePostLogin = async (event, api) => {
  api.access.deny('no entry for ' + event.user.email);
};\n`;

/**
 * `tessera try` against a running server, as a person uses it: the command prints a URL, a browser
 * (here an HTTP client with a cookie jar submitting the real login form) follows it and comes back
 * to the command's callback, and the command prints what the tokens say. The command and the server
 * share nothing but the environment (TESSERA_DATA_DIR with first-run.json, DATABASE_URL).
 */
describe('tessera try', () => {
  let h: ManagementHarness;
  let firstClientId: string;
  /** The password the first run generated and printed for ada. */
  let adaPassword: string;
  /** An administrator's own app that happens to carry the name `try` gives its app. */
  let lookalikeId: string;

  before(async () => {
    const port = await freePort();
    h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    await deployAndBind('claims', CLAIMS);
    const api = await h.call('POST', '/resource-servers', { body: { identifier: API, name: 'Example API' } });
    assert.equal(api.status, 201, JSON.stringify(api.body));
    const lookalike = await h.call('POST', '/clients', {
      body: { name: 'Tessera Try', app_type: 'regular_web', callbacks: ['https://admin.example.com/cb'] },
    });
    assert.equal(lookalike.status, 201, JSON.stringify(lookalike.body));
    lookalikeId = (lookalike.body as { client_id: string }).client_id;
  });
  after(() => h?.stop());

  const deployAndBind = async (name: string, code: string) => {
    const created = await h.call('POST', '/actions/actions', {
      body: { name, code, supported_triggers: [{ id: 'post-login', version: 'v3' }], deploy: true },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bound = await h.call('PATCH', '/actions/triggers/post-login/bindings', {
      body: { bindings: [{ ref: { type: 'action_name', value: name } }] },
    });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));
  };
  const tryCli = (args: string[]) => startCli(['try', ...args], h.server.env);

  /** The browser's part: the printed URL, the login form, back to the command's callback. */
  const logIn = async (authorizeUrl: string, email: string, password: string) => {
    const browser = new Browser(h.issuer);
    const start = await browser.follow(authorizeUrl);
    assert.equal(start.response.status, 200, `the login page (${start.url})`);
    const done = await browser.login(start.url, email, password);
    assert.match(
      done.url,
      /^http:\/\/127\.0\.0\.1:\d+\/callback\?/,
      `back at the command (${done.response.status})`,
    );
    const page = await fetch(done.url);
    return { status: page.status, text: await page.text(), callback: done.url };
  };

  it('logs a new user in and prints the ID token claims the post-login action set', async () => {
    const cli = tryCli(['--user', 'ada@example.com']);
    const [, password] = await cli.until(/Created the user ada@example\.com with the password (\S+)\n/);
    const [, url] = await cli.until(/Open this URL in a browser and log in:\n\n {2}(\S+)\n/);
    await cli.until(/Waiting for the browser/);
    const authorize = new URL(url!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${h.issuer}authorize`);
    for (const [name, value] of [
      ['response_type', 'code'],
      ['scope', 'openid profile email'],
      ['code_challenge_method', 'S256'],
    ])
      assert.equal(authorize.searchParams.get(name!), value, name);
    for (const name of ['state', 'nonce', 'code_challenge', 'client_id'])
      assert.ok(authorize.searchParams.get(name), `${name} is sent`);

    adaPassword = password!;
    const page = await logIn(url!, 'ada@example.com', password!);
    assert.equal(page.status, 200);
    assert.match(page.text, /You can close this tab/);
    assert.equal(await cli.exit(), 0, cli.stderr);
    const idClaims = /Logged in\. ID token claims:\n(\{[\s\S]*?\n\})\n/.exec(cli.stdout);
    assert.ok(idClaims, cli.stdout);
    const claims = JSON.parse(idClaims[1]!);
    assert.equal(claims['https://example.com/plan'], 'enterprise');
    assert.equal(claims.email, 'ada@example.com');
    assert.equal(claims.iss, h.issuer);
    firstClientId = claims.aud;
    assert.notEqual(firstClientId, lookalikeId, 'an app named "Tessera Try" without the mark is not taken');
    const lookalike = await h.call('GET', `/clients/${lookalikeId}`);
    assert.deepEqual((lookalike.body as { callbacks: string[] }).callbacks, ['https://admin.example.com/cb']);
    assert.match(
      cli.stdout,
      /^Created the application "Tessera Try" \(client_id \S+\), callback http:\/\/127\.0\.0\.1:\d+\/callback\n/,
    );
  });

  it('--json: takes the app back, leaves an existing user alone, and ignores a callback of another login', async () => {
    const port = await freePort();
    const cli = tryCli(['--json', '--user', 'ada@example.com', '--audience', API, '--port', String(port)]);
    const [first] = await cli.until(/^\{.*\}\n/);
    const waiting = JSON.parse(first!);
    assert.deepEqual(Object.keys(waiting).sort(), [
      'app_created',
      'authorize_url',
      'callback',
      'client_id',
      'type',
      'user',
    ]);
    assert.equal(waiting.type, 'authorize');
    assert.equal(waiting.callback, `http://127.0.0.1:${port}/callback`);
    assert.equal(waiting.client_id, firstClientId, 'the app of the first run, found by its name');
    assert.equal(waiting.app_created, false);
    assert.deepEqual(waiting.user, { email: 'ada@example.com', created: false });
    assert.equal(new URL(waiting.authorize_url).searchParams.get('audience'), API);

    // Another login's callback (a stale tab, another program) is turned away; the wait goes on.
    const stranger = await fetch(`${waiting.callback}?code=forged&state=not-this-one`);
    assert.equal(stranger.status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status, 404);
    assert.equal(cli.child.exitCode, null);

    const page = await logIn(waiting.authorize_url, 'ada@example.com', adaPassword);
    assert.equal(page.status, 200);
    assert.equal(await cli.exit(), 0, cli.stderr);
    const lines = cli.stdout.trim().split('\n');
    assert.equal(lines.length, 2, cli.stdout);
    const tokens = JSON.parse(lines[1]!);
    assert.deepEqual(Object.keys(tokens).sort(), ['access_token', 'id_token', 'scope', 'type']);
    assert.equal(tokens.type, 'tokens');
    assert.equal(tokens.id_token['https://example.com/plan'], 'enterprise');
    assert.equal(tokens.access_token['https://example.com/email'], 'ada@example.com');
    assert.deepEqual([tokens.access_token.aud].flat()[0], API);
  });

  it('an action that denies the login ends the command with access_denied and its reason (exit 1)', async () => {
    await deployAndBind('deny', DENY);
    const password = 'grace has a long password';
    const cli = tryCli(['--json', '--user', 'grace@example.com', '--password', password]);
    const [first] = await cli.until(/^\{.*\}\n/);
    const waiting = JSON.parse(first!);
    assert.deepEqual(waiting.user, { email: 'grace@example.com', password, created: true });
    const page = await logIn(waiting.authorize_url, 'grace@example.com', password);
    assert.match(page.callback, /[?&]error=access_denied/);
    assert.equal(page.status, 200);
    assert.match(page.text, /Login failed[\s\S]*access_denied: no entry for grace@example\.com/);
    assert.equal(await cli.exit(), 1);
    assert.equal(cli.stderr, 'tessera: the login ended with access_denied: no entry for grace@example.com\n');
    assert.deepEqual(JSON.parse(cli.stdout.trim().split('\n')[1]!), {
      type: 'error',
      error: 'access_denied',
      error_description: 'no entry for grace@example.com',
    });
  });

  it('a callback port already in use, or credentials the server refuses, exit 1 with one line', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const port = (taken.address() as { port: number }).port;
      const cli = tryCli(['--port', String(port)]);
      assert.equal(await cli.exit(), 1);
      assert.equal(cli.stderr, `tessera: cannot listen on 127.0.0.1:${port} for the callback (EADDRINUSE)\n`);
    } finally {
      taken.close();
    }

    const created = h.server.firstRun.created!;
    const foreign = await mkdtemp(join(tmpdir(), 'tessera-try-'));
    try {
      const management = {
        client_id: created.clientId,
        client_secret: 'not the secret',
        audience: created.audience,
      };
      await writeFile(join(foreign, 'first-run.json'), JSON.stringify({ issuer: h.issuer, management }));
      const cli = startCli(['try'], { ...h.server.env, TESSERA_DATA_DIR: foreign });
      assert.equal(await cli.exit(), 1);
      assert.match(
        cli.stderr,
        /^tessera: http:\/\/localhost:\d+\/ refused the first-run management client \(401 invalid_client: .*\): is first-run\.json from this server's data dir\?\n$/,
      );
      assert.equal(cli.stdout, '');
    } finally {
      await rm(foreign, { recursive: true, force: true });
    }
  });
});
