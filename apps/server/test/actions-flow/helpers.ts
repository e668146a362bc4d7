import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ExecutionRecord, Storage } from '@tessera/storage';
import type * as oidc from 'openid-client';
import { authorizationRequest, type Browser, REDIRECT_URI } from '../oidc/helpers.ts';

/** Creates, deploys and returns an action for the post-login trigger, as the Management API would. */
export async function deployAction(
  storage: Storage,
  tenantId: string,
  name: string,
  code: string,
  secrets: Array<{ name: string; value: string }> = [],
) {
  const action = await storage.actions.create(tenantId, {
    name,
    code,
    supportedTriggers: [{ id: 'post-login', version: 'v3' }],
    secrets,
  });
  await storage.actions.deploy(tenantId, action.id);
  return action.id;
}

export const bindActions = (storage: Storage, tenantId: string, ids: string[]) =>
  storage.actions.bind(tenantId, 'post-login', ids);

/** The tenant's newest execution record. */
export async function lastExecution(storage: Storage, tenantId: string): Promise<ExecutionRecord> {
  const [row] = await storage.db.sql.query<{ id: string }>(
    'SELECT id FROM executions WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 1',
    [tenantId],
  );
  assert.ok(row, 'an execution was recorded');
  const record = await storage.executions.get(tenantId, row.id);
  assert.ok(record);
  return record;
}

/** The names of the actions an execution record says ran, in order. */
export const actionsRan = (record: ExecutionRecord) =>
  (record.results as Array<{ action_name?: string }>).flatMap((r) => (r.action_name ? [r.action_name] : []));

/** Console lines and runtime warnings an execution record kept, as `level: message`. */
export const recordedLogs = (record: ExecutionRecord) =>
  (record.results as Array<{ logs?: Array<{ level: string; message: string }> }>).flatMap((r) =>
    (r.logs ?? []).map((log) => `${log.level}: ${log.message}`),
  );

/** The failure the run ended with (the last entry of a failed run's results). */
export const recordedFailure = (record: ExecutionRecord) =>
  (record.results.at(-1) as { error?: { kind: string; message: string } } | undefined)?.error;

/**
 * A login through the real pages that ends back at the app, whatever the app receives there: the
 * callback's parameters, and `redeem` to exchange its code when there is one.
 */
export async function loginToCallback(
  config: oidc.Configuration,
  browser: Browser,
  credentials: { username: string; password: string },
  params: Record<string, string> = {},
) {
  const request = await authorizationRequest(config, params);
  const start = await browser.follow(request.url.href);
  assert.equal(start.response.status, 200, `the login page (${start.url})`);
  const done = await browser.login(start.url, credentials.username, credentials.password);
  const callback = new URL(done.url);
  assert.equal(
    callback.origin + callback.pathname,
    REDIRECT_URI,
    `back at the app, got ${done.url} (${done.response.status})`,
  );
  return {
    callback,
    params: Object.fromEntries(callback.searchParams),
    state: request.state,
    nonce: request.url.searchParams.get('nonce')!,
    redeem: () => request.redeem(done.url),
  };
}

/**
 * A local HTTP endpoint an action can `fetch` (the server must allow 127.0.0.1 in
 * TESSERA_ACTIONS_FETCH_ALLOW). `onRequest` runs before the answer is sent, which is how a test puts
 * a fault at an exact point of a login: after the password check and the action's first half, before
 * anything the trigger does once the action returns.
 */
export async function startHook(
  onRequest: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void = () => {},
) {
  const requests: string[] = [];
  const server: Server = createServer(async (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    try {
      await onRequest(request, response);
      if (!response.headersSent) response.writeHead(200, { 'content-type': 'application/json' });
      if (!response.writableEnded) response.end('{"ok":true}');
    } catch (error) {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
