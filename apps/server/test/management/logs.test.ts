import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { deployAction } from '../actions-flow/helpers.ts';
import { freePort } from '../helpers.ts';
import {
  authorizationRequest,
  Browser,
  createApp,
  discover,
  loginWithCode,
  type OidcTestServer,
} from '../oidc/helpers.ts';
import { assertAuth0Error, type ManagementHarness, startManagement } from './helpers.ts';

/** Auth0's log event as /logs answers it (the fields Tessera fills). */
interface Log {
  log_id: string;
  date: string;
  type: string;
  description?: string;
  client_id?: string;
  client_name?: string;
  user_id?: string;
  user_name?: string;
  connection?: string;
  ip?: string;
  user_agent?: string;
  details?: {
    request?: { method: string; path: string };
    response?: { statusCode: number };
    stats?: unknown;
  };
}

// The protocol side's log events (logins, token exchanges) and the Management API's own (sapi/fapi),
// read back through /logs as Auth0 answers them. Recording is fire-and-forget, so each check polls
// for its event, for a bounded time.
describe('Management API /logs: the events of logins, token exchanges and API writes', () => {
  let h: ManagementHarness;
  let server: OidcTestServer;
  let app: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;
  const alice = { username: 'alice@example.com', password: 'correct horse battery staple' };
  const wrongPassword = 'not alices password at all';
  /** Everything secret the flows below handle: none of it may reach the log. */
  const secrets: string[] = [alice.password, wrongPassword];
  let aliceId: string;

  before(async () => {
    // The tenant's issuer must be the real address: the browser and openid-client talk to it.
    const port = await freePort();
    h = await startManagement({ PORT: String(port), TESSERA_DOMAIN: `localhost:${port}` });
    server = { ...h.server, issuer: h.issuer, tenantId: h.tenantId };
    app = await createApp(server);
    secrets.push(app.clientSecret);
    aliceId = (
      await server.storage.users.create(h.tenantId, { email: alice.username, password: alice.password })
    ).user_id;
    config = await discover(server, app.clientId, app.clientSecret);
  });
  after(() => h?.stop());

  /** Polls /logs (raw) until an event matches, for at most 5 seconds. */
  async function waitForLog(q: string, match: (log: Log) => boolean): Promise<Log> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const response = await h.call('GET', `/logs?per_page=100&q=${encodeURIComponent(q)}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const found = (response.body as Log[]).find(match);
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`no log event matching ${q} within 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const assertFromHere = (log: Log) => {
    assert.match(log.log_id, /^900\d{15}[0-9a-f]{38}$/);
    assert.match(log.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(log.ip ?? '', /127\.0\.0\.1|::1/);
    assert.equal(typeof log.user_agent, 'string');
  };

  async function failLogin(username: string, password: string) {
    const request = await authorizationRequest(config);
    const browser = new Browser(server.issuer);
    const start = await browser.follow(request.url.href);
    return browser.login(start.url, username, password);
  }

  it('records a login through the pages (s) and its code exchange (seacft)', async () => {
    const tokens = await loginWithCode(server, config, new Browser(server.issuer), alice);
    secrets.push(tokens.access_token, tokens.id_token!, tokens.refresh_token!);
    const login = await waitForLog('type:s', (log) => log.user_id === aliceId);
    assertFromHere(login);
    assert.deepEqual(
      { ...login, log_id: 0, date: 0, ip: 0, user_agent: 0 },
      {
        log_id: 0,
        date: 0,
        type: 's',
        client_id: app.clientId,
        client_name: 'Test App',
        user_id: aliceId,
        user_name: alice.username,
        connection: 'Username-Password-Authentication',
        ip: 0,
        user_agent: 0,
        details: { stats: { loginsCount: 1 } },
      },
    );
    const exchange = await waitForLog('type:seacft', (log) => log.client_id === app.clientId);
    assertFromHere(exchange);
    assert.equal(exchange.user_id, aliceId);
    assert.equal(exchange.user_name, alice.username);
    assert.equal(exchange.client_name, 'Test App');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    secrets.push(refreshed.access_token, refreshed.refresh_token!);
    const refresh = await waitForLog('type:sertft', (log) => log.client_id === app.clientId);
    assert.equal(refresh.user_id, aliceId);
  });

  it('records a wrong password (fp) with the user, and an unknown user (fu) with what was typed', async () => {
    const wrong = await failLogin(alice.username, wrongPassword);
    assert.equal(wrong.response.status, 400);
    const fp = await waitForLog('type:fp', (log) => log.user_id === aliceId);
    assertFromHere(fp);
    assert.equal(fp.description, 'Wrong email or password.');
    assert.equal(fp.user_name, alice.username);
    assert.equal(fp.client_id, app.clientId);

    const unknown = await failLogin('nobody@example.com', wrongPassword);
    assert.equal(unknown.response.status, 400);
    const fu = await waitForLog('type:fu', (log) => log.user_name === 'nobody@example.com');
    assert.equal(fu.description, 'Wrong email or password.');
    assert.ok(!('user_id' in fu), 'no user to name');
    assert.equal(fu.connection, 'Username-Password-Authentication');
  });

  it('records a refused login (f) with the reason: a blocked user, a denial by an action', async () => {
    const bob = { username: 'bob@example.com', password: 'bob has his own password' };
    const bobId = (
      await server.storage.users.create(h.tenantId, { email: bob.username, password: bob.password })
    ).user_id;
    await server.storage.db.prisma.user.update({
      where: { tenantId_userId: { tenantId: h.tenantId, userId: bobId } },
      data: { blocked: true },
    });
    assert.equal((await failLogin(bob.username, bob.password)).response.status, 403);
    const blocked = await waitForLog('type:f', (log) => log.user_id === bobId);
    assert.equal(blocked.description, 'user is blocked');

    const dave = { username: 'dave@example.com', password: 'dave has his own password' };
    const daveId = (
      await server.storage.users.create(h.tenantId, { email: dave.username, password: dave.password })
    ).user_id;
    const action = await deployAction(
      server.storage,
      h.tenantId,
      'deny dave',
      `exports.onExecutePostLogin = async (event, api) => {
        if (event.user.email === '${dave.username}') api.access.deny('Dave may not use this app');
      };`,
    );
    await server.storage.actions.bind(h.tenantId, 'post-login', [action]);
    try {
      const denied = await failLogin(dave.username, dave.password);
      assert.equal(new URL(denied.url).searchParams.get('error'), 'access_denied');
      const f = await waitForLog('type:f', (log) => log.user_id === daveId);
      assert.equal(f.description, 'Dave may not use this app');
      assert.equal(f.client_id, app.clientId);
    } finally {
      await server.storage.actions.bind(h.tenantId, 'post-login', []);
    }
  });

  it('records failed code and refresh token exchanges (feacft, fertft) without the values sent', async () => {
    const post = (body: Record<string, string>) =>
      fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...body }),
      });
    const code = 'a-code-that-was-never-issued';
    const refreshToken = 'a-refresh-token-that-was-never-issued';
    secrets.push(code, refreshToken);
    assert.equal(
      (
        await post({
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example.com/callback',
        })
      ).status,
      400,
    );
    const feacft = await waitForLog('type:feacft', (log) => log.client_id === app.clientId);
    assert.match(feacft.description ?? '', /grant request is invalid/);
    assert.equal((await post({ grant_type: 'refresh_token', refresh_token: refreshToken })).status, 400);
    const fertft = await waitForLog('type:fertft', (log) => log.client_id === app.clientId);
    assert.match(fertft.description ?? '', /grant request is invalid/);
  });

  it('records client credentials exchanges (seccft) and a failing one (feccft)', async () => {
    const token = await h.tokenWith(['read:logs']);
    secrets.push(token);
    const seccft = await waitForLog('type:seccft', (log) => log.client_name === 'machine read:logs');
    assertFromHere(seccft);
    assert.ok(!('user_id' in seccft));

    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: seccft.client_id,
        client_secret: 'a-wrong-secret-for-the-machine',
        audience: h.audience,
      }),
    });
    assert.equal(response.status, 401);
    secrets.push('a-wrong-secret-for-the-machine');
    const feccft = await waitForLog('type:feccft', (log) => log.client_id === seccft.client_id);
    assert.match(feccft.description ?? '', /client authentication failed/);
    assert.equal(feccft.client_name, 'machine read:logs');
  });

  it('records Management API writes (sapi) and failed writes (fapi)', async () => {
    await h.management.forms.create({ name: 'Logged form' });
    const sapi = await waitForLog('type:sapi', (log) => log.description === 'Create a form');
    assert.equal(sapi.details?.request?.method, 'post');
    assert.equal(sapi.details?.request?.path, '/api/v2/forms');
    assert.equal(sapi.details?.response?.statusCode, 201);
    assertAuth0Error(await h.call('POST', '/forms', { body: { name: 7 } }), 400, 'invalid_body');
    const fapi = await waitForLog('type:fapi', (log) => log.description === 'Create a form');
    assert.equal(fapi.details?.response?.statusCode, 400);
  });

  it('lists through the SDK with search, and reads one event by id', async () => {
    const page = await h.management.logs.list({ search: 'type:s', per_page: 100 });
    assert.ok(page.data.length > 0);
    assert.ok(page.data.every((log) => log.type === 's'));
    const raw = await h.call('GET', '/logs?q=type:s&per_page=100');
    assert.deepEqual(
      page.data.map((log) => log.log_id),
      raw.body.map((log: Log) => log.log_id),
    );
    const one = await h.management.logs.get(page.data[0]!.log_id!);
    assert.deepEqual(one, page.data[0]);
    assertAuth0Error(await h.call('GET', '/logs/900nope'), 404, 'inexistent_log');
  });

  it('pages newest first with Auth0 totals, and follows the log from a checkpoint', async () => {
    const first = await h.call('GET', '/logs?per_page=3&page=0&include_totals=true');
    assert.deepEqual(Object.keys(first.body).sort(), ['length', 'limit', 'logs', 'start', 'total']);
    assert.equal(first.body.length, 3);
    assert.equal(first.body.limit, 3);
    assert.equal(first.body.start, 0);
    const second = await h.call('GET', '/logs?per_page=3&page=1&include_totals=true');
    assert.equal(second.body.start, 3);
    assert.equal(second.body.total, first.body.total);
    const dates = [...first.body.logs, ...second.body.logs].map((log: Log) => log.date);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
    const ids = new Set([...first.body.logs, ...second.body.logs].map((log: Log) => log.log_id));
    assert.equal(ids.size, 6, 'pages do not overlap');

    const oldest = await h.call('GET', '/logs?sort=date:1&per_page=3');
    const after = await h.call('GET', `/logs?from=${oldest.body[0].log_id}&take=2`);
    assert.deepEqual(
      after.body.map((log: Log) => log.log_id),
      oldest.body.slice(1, 3).map((log: Log) => log.log_id),
    );
  });

  it('never records a password, a token, a code or a secret', async () => {
    const all: Log[] = [];
    for (let page = 0; ; page++) {
      const { body } = await h.call('GET', `/logs?per_page=100&page=${page}`);
      all.push(...body);
      if (body.length < 100) break;
    }
    assert.ok(all.length > 10);
    const text = JSON.stringify(all);
    for (const secret of secrets)
      assert.ok(!text.includes(secret), `a secret reached the log: ${secret.slice(0, 6)}…`);
  });

  it('answers 403 insufficient_scope without read:logs', async () => {
    const token = await h.tokenWith(['read:users']);
    assertAuth0Error(await h.call('GET', '/logs', { token }), 403, 'insufficient_scope', /read:logs/);
    const one = (await h.call('GET', '/logs?per_page=1')).body[0];
    assertAuth0Error(await h.call('GET', `/logs/${one.log_id}`, { token }), 403, 'insufficient_scope');
  });
});
